package faults

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// TestKillMidLoad kills the server with SIGKILL at random moments of the
// load (one kill small, several full), restarts it on the same database
// each time, and checks that every acknowledged write is there once:
// clients retried every unanswered spend and purchase with its key until
// it got a definite answer, and the provider redelivered its webhooks
// until they were acknowledged.
func TestKillMidLoad(t *testing.T) {
	for _, b := range []backend{postgres, sqlite} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			size, seed := sizeOf(t), seedOf(t)
			rng := rand.New(rand.NewPCG(seed, 0))
			dbURL := b.newDB(t)
			seedCatalog(t, dbURL)
			env := serverEnv(t, dbURL)
			srv := tallytest.StartReady(t, env)
			to := &targets{}
			to.set(srv.URL)
			w := setup(t, srv.URL, size.orgs)

			// The kill moments: random, in the middle 80% of the load.
			var at []time.Duration
			for range size.kills {
				at = append(at, size.load/10+time.Duration(rng.Int64N(int64(size.load*8/10))))
			}
			slices.Sort(at)
			t.Logf("%s: %d clients on %d orgs for %s; SIGKILL at %v", size.name, size.clients, size.orgs, size.load, at)

			began := time.Now()
			l := startLoad(w, to, size.clients, seed)
			var down time.Duration
			var kills []time.Time
			up := began // when the server last became ready
			for _, moment := range at {
				// Each kill finds clients in full flow: at least a tenth
				// of the load after the last restart.
				time.Sleep(max(time.Until(began.Add(moment)), time.Until(up.Add(size.load/10))))
				if err := srv.Cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed := time.Now()
				kills = append(kills, killed)
				to.set()
				srv.Wait(t, 10*time.Second)
				srv = tallytest.StartReady(t, env)
				to.set(srv.URL)
				up = time.Now()
				down += up.Sub(killed)
			}
			time.Sleep(time.Until(began.Add(size.load)))
			l.stopLoad()
			t.Logf("load done in %s, server down %s in all", time.Since(began).Round(time.Millisecond), down.Round(time.Millisecond))

			lost, dups := checkAcks(t, dbURL, l)
			l.report(t, len(kills), lost, dups)
			checkConsistent(t, dbURL)
		})
	}
}
