package faults

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db"
)

// TestTwoInstancesOneKilled runs two servers on one PostgreSQL database
// with clients spread over both, and kills the one that leads the job
// queue while it is sending a webhook to a receiver that has not answered
// yet. The survivor goes on serving (clients fail over), sends that
// webhook again with the same webhook-id once the dead instance's lease
// ends, becomes the queue's leader and runs the periodic jobs, and the
// delivery job left running by the dead instance is rescued
// (TALLY_JOB_RESCUE_AFTER) and completed by the survivor.
func TestTwoInstancesOneKilled(t *testing.T) {
	t.Parallel()
	size, seed := sizeOf(t), seedOf(t)
	dbURL := postgres.newDB(t)
	seedCatalog(t, dbURL)
	env := serverEnv(t, dbURL, "TALLY_JOB_RESCUE_AFTER=15s", "TALLY_WEBHOOK_TIMEOUT=10s", "TALLY_WEBHOOK_INTERVAL=1s",
		"TALLY_EXPIRY_INTERVAL=1s")
	store := openStore(t, dbURL)
	a := tallytest.StartReady(t, env)
	leaderA := waitFor(t, 30*time.Second, "instance A to lead the job queue", func() (string, bool) {
		id := leader(t, store)
		return id, id != ""
	})
	w := setup(t, a.URL, size.orgs)
	rec := newReceiver(t)

	// A alone sends the webhook: the receiver holds its request open.
	var endpoint struct{ Endpoint struct{ ID string } }
	must(t, a.URL, w.owner, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } } }`,
		map[string]any{"in": map[string]any{"orgId": w.orgs[0].id, "url": rec.URL, "eventTypes": []string{"order.paid"}, "idempotencyKey": "hook"}},
		"createWebhookEndpoint", &endpoint)
	must(t, a.URL, w.owner, `mutation($id: ID!) { sendWebhookTest(endpointId: $id, idempotencyKey: "test") { id } }`,
		map[string]any{"id": endpoint.Endpoint.ID}, "sendWebhookTest", nil)
	hookID := rec.waitHeld(t)
	held := waitFor(t, 10*time.Second, "the delivery job running on A", func() (int64, bool) {
		j := deliveryJob(t, store)
		return j.ID, j.State == "running" && j.AttemptedBy == leaderA
	})

	b := tallytest.StartReady(t, env)
	to := &targets{}
	to.set(a.URL, b.URL)
	began := time.Now()
	l := startLoad(w, to, size.clients, seed)
	// Well within the webhook timeout (10s), so that A still holds the
	// delivery when it dies, whatever the run's size.
	time.Sleep(min(size.load/3, time.Second))
	if err := a.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	to.set(b.URL)
	a.Wait(t, 10*time.Second)
	time.Sleep(time.Until(began.Add(size.load)))
	l.stopLoad()
	t.Logf("%s: %d clients over two instances for %s; A (the leader %s) killed at %s while sending webhook %s",
		size.name, size.clients, size.load, leaderA, killed.Sub(began).Round(time.Millisecond), hookID)

	leaderB := waitFor(t, 60*time.Second, "instance B to lead the job queue", func() (string, bool) {
		id := leader(t, store)
		return id, id != "" && id != leaderA
	})
	var elected time.Time
	if err := store.Gorm().Raw(`SELECT elected_at FROM river_leader WHERE leader_id = ?`, leaderB).Scan(&elected).Error; err != nil {
		t.Fatal(err)
	}
	again := rec.waitSent(t, hookID, 60*time.Second)
	t.Logf("B (%s) elected leader %s after the kill; webhook %s sent again by B %s after the kill (the dead instance's lease: 25s)",
		leaderB, elected.Sub(killed).Round(time.Millisecond), hookID, again.Sub(killed).Round(time.Millisecond))
	rescued := waitFor(t, 90*time.Second, "the job A left running to be rescued and completed", func() (job, bool) {
		j := jobByID(t, store, held)
		return j, j.State == "completed"
	})
	if !strings.HasSuffix(rescued.AttemptedBy, leaderB) || !strings.Contains(rescued.AttemptedBy, leaderA) {
		t.Errorf("the rescued job was attempted by %q, want A (%s) then B (%s)", rescued.AttemptedBy, leaderA, leaderB)
	}
	periodic := waitFor(t, 30*time.Second, "a periodic job run by B after the kill", func() (int64, bool) {
		var n int64
		if err := store.Gorm().Raw(`SELECT COUNT(*) FROM river_job WHERE kind = 'expire_credits' AND state = 'completed'
			AND finalized_at > ? AND attempted_by[array_length(attempted_by, 1)] = ?`, killed, leaderB).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n, n > 0
	})
	t.Logf("job %d rescued %s after the kill (attempted by %s); %d expire_credits runs by B since the kill",
		held, time.Since(killed).Round(time.Millisecond), rescued.AttemptedBy, periodic)
	var status string
	if err := store.Gorm().Raw(`SELECT status FROM webhook_deliveries`).Scan(&status).Error; err != nil {
		t.Fatal(err)
	}
	if status != "SUCCEEDED" {
		t.Errorf("the webhook delivery is %s, want SUCCEEDED", status)
	}

	lost, dups := checkAcks(t, dbURL, l)
	l.report(t, 1, lost, dups)
	checkConsistent(t, dbURL)
}

// waitFor polls cond every 100 ms until it reports true, failing the test
// after timeout; it returns cond's last value.
func waitFor[T any](t *testing.T, timeout time.Duration, what string, cond func() (T, bool)) T {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v, ok := cond()
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leader is the ID of the job queue's leader, "" when there is none.
func leader(t *testing.T, d *db.DB) string {
	t.Helper()
	var ids []string
	if err := d.Gorm().Raw(`SELECT leader_id FROM river_leader WHERE expires_at > now()`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// job is a River job row as the test reads it.
type job struct {
	ID          int64
	State       string
	AttemptedBy string // comma-separated client IDs, oldest first
}

// deliveryJob is the newest deliver_webhook job.
func deliveryJob(t *testing.T, d *db.DB) job {
	t.Helper()
	return readJob(t, d.Gorm().Raw(`SELECT id, state, array_to_string(attempted_by, ',') AS attempted_by FROM river_job
		WHERE kind = 'deliver_webhook' ORDER BY id DESC LIMIT 1`))
}

// jobByID is the River job id.
func jobByID(t *testing.T, d *db.DB, id int64) job {
	t.Helper()
	return readJob(t, d.Gorm().Raw(`SELECT id, state, array_to_string(attempted_by, ',') AS attempted_by FROM river_job WHERE id = ?`, id))
}

func readJob(t *testing.T, q *gorm.DB) job {
	t.Helper()
	var j job
	if err := q.Scan(&j).Error; err != nil {
		t.Fatal(err)
	}
	return j
}

// receiver is a webhook endpoint that holds the first request it gets
// open until its client goes away, and answers 204 to every later one.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	first string               // webhook-id of the held request
	held  chan struct{}        // closed when the first request arrived
	sent  map[string]time.Time // webhook-id -> when a later request was answered 204
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{held: make(chan struct{}), sent: map[string]time.Time{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("webhook-id")
		// Read the body: only then does the server watch the connection
		// and end the request's context when the sender goes away.
		_, _ = io.Copy(io.Discard, r.Body)
		rc.mu.Lock()
		hold := rc.first == ""
		if hold {
			rc.first = id
			close(rc.held)
		}
		rc.mu.Unlock()
		if hold {
			select { // until its sender dies, or gives up
			case <-r.Context().Done():
			case <-time.After(2 * time.Minute):
			}
			return
		}
		rc.mu.Lock()
		rc.sent[id] = time.Now()
		rc.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// waitHeld waits for the first request and returns its webhook-id.
func (rc *receiver) waitHeld(t *testing.T) string {
	t.Helper()
	select {
	case <-rc.held:
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook arrived within 30s")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.first
}

// waitSent waits until webhook id was answered 204 and returns when.
func (rc *receiver) waitSent(t *testing.T, id string, timeout time.Duration) time.Time {
	t.Helper()
	return waitFor(t, timeout, "webhook "+id+" to be sent again", func() (time.Time, bool) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		at, ok := rc.sent[id]
		return at, ok
	})
}
