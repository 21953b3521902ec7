package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// shutdownTimeout is the drain the server under test gets.
const shutdownTimeout = 5 * time.Second

// TestGracefulShutdownMidLoad sends SIGTERM at a random moment of the
// load: requests that reached the server are answered (no spend the
// draining server committed was left without its answer), new requests
// are refused (a connection refused, or a coded 503), the process exits 0
// within TALLY_SHUTDOWN_TIMEOUT, and after a restart nothing
// acknowledged is lost.
func TestGracefulShutdownMidLoad(t *testing.T) {
	for _, b := range []backend{postgres, sqlite} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			size, seed := sizeOf(t), seedOf(t)
			rng := rand.New(rand.NewPCG(seed, 0))
			dbURL := b.newDB(t)
			seedCatalog(t, dbURL)
			env := serverEnv(t, dbURL, "TALLY_SHUTDOWN_TIMEOUT="+shutdownTimeout.String())
			srv := tallytest.StartReady(t, env)
			to := &targets{}
			to.set(srv.URL)
			w := setup(t, srv.URL, size.orgs)
			at := size.load/5 + time.Duration(rng.Int64N(int64(size.load*3/5)))
			t.Logf("%s: %d clients on %d orgs for %s; SIGTERM at %s", size.name, size.clients, size.orgs, size.load, at)

			began := time.Now()
			l := startLoad(w, to, size.clients, seed)
			time.Sleep(time.Until(began.Add(at)))
			if err := srv.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			term := time.Now()
			probes := probeNewWork(srv.URL, w.orgs[0])
			code := srv.Wait(t, shutdownTimeout+10*time.Second)
			exited := time.Now()
			seen := probes()
			drain := exited.Sub(term)
			t.Logf("exit %d %s after SIGTERM; new requests during the drain: %s", code, drain.Round(time.Millisecond), seen)
			if code != 0 {
				t.Errorf("exit code %d after SIGTERM, want 0", code)
			}
			if drain > shutdownTimeout {
				t.Errorf("exited %s after SIGTERM, over TALLY_SHUTDOWN_TIMEOUT %s", drain, shutdownTimeout)
			}
			if seen.accepted > 0 {
				t.Errorf("%d requests on new connections were served after the server had refused one", seen.accepted)
			}
			if seen.refused == 0 {
				t.Error("no new request was refused after SIGTERM (during the drain or once the port closed)")
			}
			// The clients retry against the next server, on the same
			// database, what the drain refused.
			srv = tallytest.StartReady(t, env)
			to.set(srv.URL)
			time.Sleep(time.Until(began.Add(size.load)))
			l.stopLoad()

			// A spend committed by an attempt whose client got no answer:
			// the drain cut off a request it had taken on.
			dropped := l.replayed()
			for _, a := range dropped {
				t.Errorf("spend %s was committed at %s, but the attempt that committed it got no answer (%d attempts)",
					a.key, a.at.Format(time.StampMicro), a.attempts)
			}
			lost, dups := checkAcks(t, dbURL, l)
			l.report(t, 1, lost, dups)
			checkConsistent(t, dbURL)
		})
	}
}

// drainSeen counts what new connections got while a server drained.
type drainSeen struct {
	refused  int // connection refused, or 503 UNAVAILABLE
	accepted int // served after an earlier probe had been refused
	before   int // served before any probe was refused (the signal not yet handled)
	other    []string
}

func (s drainSeen) String() string {
	return fmt.Sprintf("%d refused, %d served before the first refusal, %d served after it, other %v", s.refused, s.before, s.accepted, s.other)
}

// probeNewWork sends a request (reading a balance: new work that
// changes nothing, so the checks of the load's spends stay exact) on a
// new connection to base every few milliseconds, from now until the
// returned function is called or 20 were refused, and returns what they
// got.
func probeNewWork(base string, o org) func() drainSeen {
	ctx, cancel := context.WithCancel(context.Background())
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var (
		mu   sync.Mutex
		seen drainSeen
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		for ctx.Err() == nil {
			body := gqlBody(`query($id: ID!) { org(id: $id) { balance { total } } }`, map[string]any{"id": o.id})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Api-Key", o.key)
			resp, err := client.Do(req)
			mu.Lock()
			switch {
			case err != nil && errors.Is(err, syscall.ECONNREFUSED):
				seen.refused++
			case err != nil:
				if ctx.Err() == nil && len(seen.other) < 5 {
					seen.other = append(seen.other, err.Error())
				}
			default:
				_ = resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusServiceUnavailable:
					seen.refused++
				case seen.refused > 0:
					seen.accepted++
				default:
					seen.before++
				}
			}
			stop := seen.refused > 20
			mu.Unlock()
			if stop {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	// Called once the process has exited. A drain shorter than one probe
	// (a loaded server answers one read in more than the whole drain) saw
	// no refusal yet: the probe goes on until it meets the closed port, so
	// that what it reports — nothing served after a refusal — covers the
	// whole shutdown, whatever its length.
	return func() drainSeen {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			refused := seen.refused
			mu.Unlock()
			if refused > 0 {
				break
			}
		}
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}
