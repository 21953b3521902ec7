package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// hookRequest is one webhook a live receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
}

// TestWebhooksThroughTheServer runs the real binary: a balance falling
// below the alert's threshold is sent to the org's endpoint by the job
// queue; the server is killed (SIGKILL) while the receiver holds the
// request, and a new server on the same database delivers it again once
// the lease ran out, with the same webhook-id, verified by the Standard
// Webhooks reference library. A test event follows, and the delivery log
// reads back through GraphQL.
func TestWebhooksThroughTheServer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		env := []string{"TALLY_WEBHOOK_INTERVAL=1s", "TALLY_WEBHOOK_TIMEOUT=1s", "TALLY_MAIL_DIR=" + t.TempDir()}
		var (
			mu     sync.Mutex
			got    []hookRequest
			inside = make(chan struct{})
			held   = make(chan struct{})
		)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, hookRequest{header: r.Header.Clone(), body: body})
			n := len(got)
			mu.Unlock()
			if n == 1 {
				close(inside)
				select { // hold the first request until its sender is dead
				case <-held:
				case <-r.Context().Done():
				}
				return
			}
			_, _ = io.WriteString(w, "thanks")
		}))
		defer rcv.Close()
		requests := func() []hookRequest {
			mu.Lock()
			defer mu.Unlock()
			return append([]hookRequest(nil), got...)
		}
		waitFor := func(n int, within time.Duration) []hookRequest {
			t.Helper()
			deadline := time.Now().Add(within)
			for time.Now().Before(deadline) {
				if r := requests(); len(r) >= n {
					return r
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Fatalf("%d webhook requests after %v, want %d", len(requests()), within, n)
			return nil
		}

		s := startServer(t, b.newDB(t), env...)
		owner := s.user(t, "owner@hooks.example")
		org := owner.createOrg(t, "Hooks Inc", "DE", "EUR")
		hook, secret := owner.createHook(t, org, rcv.URL+"/tally", "hook-1", "balance.low")
		owner.must(t, `mutation($o: ID!) { setLowBalanceAlert(orgId: $o, threshold: 1000000, idempotencyKey: "alert-1") { alerted } }`,
			map[string]any{"o": org}, "setLowBalanceAlert", nil)

		select {
		case <-inside:
		case <-time.After(30 * time.Second):
			t.Fatal("the low balance webhook never came")
		}
		if err := s.cmd.Process.Kill(); err != nil { // a crash mid-delivery
			t.Fatal(err)
		}
		_ = s.proc.Wait(t, 10*time.Second)
		close(held)

		s2 := startServer(t, s.DBURL, env...)
		reqs := waitFor(2, 40*time.Second) // the lease is 2×1s+5s
		if reqs[0].header.Get("webhook-id") != reqs[1].header.Get("webhook-id") {
			t.Fatalf("the redelivery has another webhook-id: %q, %q", reqs[0].header.Get("webhook-id"), reqs[1].header.Get("webhook-id"))
		}
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(reqs[1].body, reqs[1].header); err != nil {
			t.Fatalf("reference library: %v (%s)", err, reqs[1].body)
		}
		var p struct {
			Type string
			Data map[string]any
		}
		if err := json.Unmarshal(reqs[1].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Type != "balance.low" || p.Data["orgId"] != org || p.Data["sequence"] == nil {
			t.Fatalf("payload %s", reqs[1].body)
		}

		owner2 := s2.as(owner.auth)
		var d struct{ ID string }
		owner2.must(t, `mutation($e: ID!) { sendWebhookTest(endpointId: $e, idempotencyKey: "test-1") { id } }`,
			map[string]any{"e": hook}, "sendWebhookTest", &d)
		reqs = waitFor(3, 20*time.Second)
		if err := wh.Verify(reqs[2].body, reqs[2].header); err != nil {
			t.Fatal(err)
		}
		var log struct {
			WebhookEndpoints []struct {
				Deliveries struct {
					Edges []struct {
						Node struct {
							ID, EventType, Status string
							Attempts              []struct {
								StatusCode *int
								Response   string
							}
						}
					}
				}
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			owner2.must(t, `query($o: ID!) { org(id: $o) { webhookEndpoints { deliveries { edges { node { id eventType status attempts { statusCode response } } } } } } }`,
				map[string]any{"o": org}, "org", &log)
			edges := log.WebhookEndpoints[0].Deliveries.Edges
			if len(edges) == 2 && edges[0].Node.Status == "SUCCEEDED" && edges[1].Node.Status == "SUCCEEDED" {
				if edges[0].Node.ID != d.ID || edges[0].Node.EventType != "webhook.test" || len(edges[1].Node.Attempts) != 1 ||
					edges[1].Node.Attempts[0].Response != "thanks" {
					t.Fatalf("delivery log %+v", edges)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery log %+v", edges)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
