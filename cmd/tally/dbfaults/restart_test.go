package dbfaults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/domain"
)

// watcher polls /readyz and records every change of its answer.
type watcher struct {
	mu      sync.Mutex
	last    int
	changes []readyChange
	stop    chan struct{}
	done    chan struct{}
}

type readyChange struct {
	at     time.Time
	status int
}

func watchReady(url string) *watcher {
	w := &watcher{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			st := readyStatus(url)
			w.mu.Lock()
			if st != w.last {
				w.last = st
				w.changes = append(w.changes, readyChange{time.Now(), st})
			}
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return w
}

// unreadyBetween reports whether /readyz was seen unready (anything but
// 200) and then 200 again between from and to.
func (w *watcher) unreadyBetween(from, to time.Time) (down, up bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.changes {
		if c.at.Before(from) || c.at.After(to) {
			continue
		}
		if c.status != http.StatusOK {
			down = true
		} else if down {
			up = true
		}
	}
	return down, up
}

func (w *watcher) close() {
	close(w.stop)
	<-w.done
}

func (w *watcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	first := time.Time{}
	for i, c := range w.changes {
		if i == 0 {
			first = c.at
		}
		fmt.Fprintf(&b, " +%v:%d", c.at.Sub(first).Round(time.Millisecond), c.status)
	}
	return b.String()
}

// subscriber is one websocket client subscribed to an org's balance; it
// sends every pushed total on totals and the reason on ended when the
// subscription ends.
type subscriber struct {
	totals chan int64
	ended  chan string
}

// subscribe opens /graphql as a graphql-transport-ws websocket and
// subscribes to balanceUpdated of org.
func subscribe(t *testing.T, s *tallytest.Server, c *client, org string) *subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   http.Header{"Origin": {"http://app.example"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	write := func(msg map[string]any) {
		if err := wsjson.Write(ctx, conn, msg); err != nil {
			t.Fatal(err)
		}
	}
	write(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": c.auth}})
	var ack map[string]any
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("websocket: no ack: %v %v", ack, err)
	}
	write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($org: ID!) { balanceUpdated(orgId: $org) { balance { total } } }`,
		"variables": map[string]any{"org": org},
	}})
	sub := &subscriber{totals: make(chan int64, 1<<16), ended: make(chan string, 1)}
	go func() {
		for {
			var msg struct {
				Type    string          `json:"type"`
				Payload json.RawMessage `json:"payload"`
			}
			if err := wsjson.Read(context.Background(), conn, &msg); err != nil {
				sub.ended <- "read: " + err.Error()
				return
			}
			switch msg.Type {
			case "ping":
				_ = wsjson.Write(context.Background(), conn, map[string]any{"type": "pong"})
			case "next":
				var p struct {
					Data struct {
						BalanceUpdated struct{ Balance struct{ Total int64 } }
					}
					Errors []gqlError
				}
				if err := json.Unmarshal(msg.Payload, &p); err != nil || len(p.Errors) > 0 {
					sub.ended <- fmt.Sprintf("event %s: %v", msg.Payload, err)
					return
				}
				sub.totals <- p.Data.BalanceUpdated.Balance.Total
			case "pong", "ka":
			default:
				sub.ended <- fmt.Sprintf("%s %s", msg.Type, msg.Payload)
				return
			}
		}
	}()
	return sub
}

// waitTotal waits until a push carries total.
func (sub *subscriber) waitTotal(t *testing.T, total int64, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	deadline := time.After(limit)
	for {
		select {
		case got := <-sub.totals:
			if got == total {
				return time.Since(began)
			}
		case why := <-sub.ended:
			t.Fatalf("balance subscription ended: %s", why)
		case <-deadline:
			t.Fatalf("no balance push with total %d within %v", total, limit)
		}
	}
}

// TestPostgresRestart: a private cluster is restarted (fast shutdown) and
// crashed (immediate shutdown, then started) while 64 clients spend.
// The server is never restarted: /readyz goes unready then ready around
// each fault, a request while the database is down is answered
// UNAVAILABLE before its deadline, the server serves again afterwards,
// the balance subscription pushes again, the job queue completes jobs
// again, and nothing acknowledged is lost or doubled.
func TestPostgresRestart(t *testing.T) {
	sc := faultScale(t)
	pg := startCluster(t)
	dbURL := pg.createDB(t, "tally")
	// Sweeps every second: the job queue has work to show it still runs.
	s := startServer(t, dbURL, "TALLY_EXPIRY_INTERVAL=1s", "TALLY_NOTIFY_INTERVAL=1s")
	alice, org := setupOrg(t, s)
	sub := subscribe(t, s, alice, org)
	w := watchReady(s.URL)

	l := newLoad(alice, org)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { l.run(stop); close(done) }()

	type fault struct {
		kind        string
		from, to    time.Time
		down        time.Duration // pg_ctl's time, or how long the cluster stayed down
		probe       time.Duration // the probe's answer time (crashes)
		probeCode   string
		backInReady time.Duration // from the cluster accepting to /readyz 200
	}
	var faults []fault
	var (
		lastUp time.Time
		probes []string // keys first sent while the database was down
	)
	kinds := make([]string, 0, sc.restarts+sc.crashes)
	for i := range max(sc.restarts, sc.crashes) {
		if i < sc.restarts {
			kinds = append(kinds, "restart -m fast")
		}
		if i < sc.crashes {
			kinds = append(kinds, "crash -m immediate")
		}
	}
	for i, kind := range kinds {
		time.Sleep(sc.between)
		f := fault{kind: kind, from: time.Now()}
		if strings.HasPrefix(kind, "restart") {
			pg.pgCtl(t, "restart", "-m", "fast")
			f.down = time.Since(f.from)
		} else {
			pg.pgCtl(t, "stop", "-m", "immediate")
			waitReady(t, s.URL, http.StatusServiceUnavailable, 10*time.Second)
			began := time.Now()
			f.probeCode, _ = l.spend(fmt.Sprintf("probe-%d", i))
			f.probe = time.Since(began)
			time.Sleep(300 * time.Millisecond)
			pg.pgCtl(t, "start")
			f.down = time.Since(f.from)
			probes = append(probes, fmt.Sprintf("probe-%d", i))
		}
		up := time.Now()
		f.backInReady = waitReady(t, s.URL, http.StatusOK, 60*time.Second)
		lastUp = up
		faults = append(faults, f)
	}
	l.calm()
	time.Sleep(sc.between)
	close(stop)
	select {
	case <-done:
	case <-time.After(keyDeadline + clientDeadline):
		t.Fatal("clients still spending long after the load ended")
	}
	time.Sleep(150 * time.Millisecond) // let the watcher see the last state
	w.close()
	// A fault's window ends where the next begins: the watcher stamps an
	// answer when it arrives, which may be after waitReady saw the same.
	for i := range faults {
		faults[i].to = time.Now()
		if i+1 < len(faults) {
			faults[i].to = faults[i+1].from
		}
	}

	// The probes' keys are retried like any other, now that the database
	// is back: each must apply once.
	for _, key := range probes {
		l.spendUntilDefinite(key)
	}
	l.mu.Lock()
	unavailable := l.codes[string(domain.CodeUnavailable)]
	l.mu.Unlock()
	l.report(t, "PostgreSQL restarts ("+sc.name+")", fmt.Sprintf("%d faults", len(faults)))
	t.Logf("/readyz changes:%s", w)
	for i, f := range faults {
		down, up := w.unreadyBetween(f.from, f.to)
		t.Logf("fault %d, %s: database down %v, /readyz 200 again %v after it accepted; unready seen %v, ready again %v; probe %s in %v",
			i+1, f.kind, f.down.Round(time.Millisecond), f.backInReady.Round(time.Millisecond), down, up, f.probeCode, f.probe.Round(time.Millisecond))
		if !down || !up {
			t.Errorf("fault %d (%s): /readyz not seen unready then ready (changes:%s)", i+1, f.kind, w)
		}
		if f.probeCode != "" && (f.probeCode != string(domain.CodeUnavailable) || f.probe >= clientDeadline) {
			t.Errorf("fault %d: a spend while the database was down answered %q in %v, want UNAVAILABLE within %v", i+1, f.probeCode, f.probe, clientDeadline)
		}
	}
	if unavailable == 0 {
		t.Error("no request was answered UNAVAILABLE")
	}
	if err := alive(s.URL); err != nil {
		t.Fatalf("server after the faults: %v", err)
	}

	// One more spend after everything: its new balance must be pushed.
	l.spendUntilDefinite("after")
	l.mu.Lock()
	n := len(l.acked)
	l.mu.Unlock()
	pushed := sub.waitTotal(t, startCredits-int64(n), 30*time.Second)
	t.Logf("balance push after the faults in %v", pushed.Round(time.Millisecond))

	jobsCompletedSince(t, dbURL, lastUp, 45*time.Second)
	l.checkAnswers(t)
	checkConsistent(t, dbURL, org, startCredits, l.acked)
}

// jobsCompletedSince waits until the job queue has completed a job after
// since: River works again after the database came back.
func jobsCompletedSince(t *testing.T, dbURL string, since time.Time, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	began := time.Now()
	for {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'completed' AND finalized_at > $1`, since).Scan(&n)
		if err == nil && n > 0 {
			t.Logf("job queue: %d jobs completed since the database came back, first seen after %v", n, time.Since(began).Round(time.Millisecond))
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no job completed within %v of the database coming back (last error %v)", limit, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
