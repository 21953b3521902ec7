package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tallyhq/tally/cmd/tally/internal/hookpost"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP endpoint that answers with status() and keeps
// every request.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status func(n int) int // n: 1-based request count
	block  chan struct{}   // when set, the first request waits on it
	inside chan struct{}   // closed when the blocked request arrived
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		n := len(r.got)
		block := r.block
		r.mu.Unlock()
		if block != nil && n == 1 {
			close(r.inside)
			select {
			case <-block:
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(r.status(n))
		_, _ = io.WriteString(w, strings.Repeat("x", 3000)) // cut to 1 KiB in the log
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// hookFixture is a service over a real store on a manual clock, posting
// through the real sender, with a job queue whose Inline context runs the
// deliver jobs a sweep enqueues at once.
type hookFixture struct {
	store *db.DB
	clock *domain.ManualClock
	svc   *domain.Service
	owner context.Context
	org   domain.Org
	q     *jobs.Queue
	url   string
}

func newHookFixture(t *testing.T, url string, allowPrivate bool) *hookFixture {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	store, err := openStore(ctx, Common{DatabaseURL: url}, false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	f := &hookFixture{store: store, clock: domain.NewManualClock(time.Now()), url: url}
	f.svc = f.newService(allowPrivate)
	u, err := f.svc.EnsureUser(ctx, "test|owner", "owner@example.com", "owner")
	if err != nil {
		t.Fatal(err)
	}
	f.owner = domain.WithActor(ctx, domain.Actor{UserID: u.ID, Email: u.Email, EmailVerified: true})
	if f.org, err = f.svc.CreateOrg(f.owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR}); err != nil {
		t.Fatal(err)
	}
	f.q, err = openJobs(ctx, Common{DatabaseURL: url}, false, quiet, jobs.Options{TestOnly: true,
		Workers: []jobs.Worker{webhookWorker(f.svc)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.q.Close() })
	return f
}

// newService is a fresh service (as after a restart) over the fixture's
// store and clock.
func (f *hookFixture) newService(allowPrivate bool) *domain.Service {
	return domain.NewService(f.store, domain.Config{PublicURL: "https://tally.example",
		Webhooks: domain.WebhookConfig{Lease: 30 * time.Second, DisableAfter: 48 * time.Hour}},
		domain.WithClock(f.clock), domain.WithLogger(slog.New(slog.DiscardHandler)),
		domain.WithWebhookSender(hookpost.New(allowPrivate, 5*time.Second), graph.EncodeID))
}

// sweep runs the webhooks sweep once with svc, its deliver jobs inline.
func (f *hookFixture) sweep(t *testing.T, svc *domain.Service) {
	t.Helper()
	if err := webhooksRun(svc, slog.New(slog.DiscardHandler))(f.q.Inline(context.Background())); err != nil {
		t.Fatal(err)
	}
}

func (f *hookFixture) endpoint(t *testing.T, url string, types ...string) domain.WebhookEndpoint {
	t.Helper()
	e, err := f.svc.CreateWebhookEndpoint(f.owner, domain.WebhookEndpointInput{OrgID: f.org.ID, URL: url,
		EventTypes: types, IdempotencyKey: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// event records an org event as the money code does, a moment after the
// endpoints were made.
func (f *hookFixture) event(t *testing.T, kind domain.OrgEventKind, detail map[string]string) domain.OrgEvent {
	t.Helper()
	f.clock.Advance(time.Millisecond)
	ev := domain.OrgEvent{ID: uuid.Must(uuid.NewV7()).String(), OrgID: f.org.ID, Kind: kind, Key: string(kind) + ":" + uuid.NewString(),
		Detail: detail, CreatedAt: f.clock.Now(), Notify: kind.Notifies()}
	if ok, err := f.store.AddOrgEvent(context.Background(), ev); err != nil || !ok {
		t.Fatalf("AddOrgEvent: %v %v", ok, err)
	}
	return ev
}

func (f *hookFixture) deliveries(t *testing.T, endpointID string) []domain.WebhookDelivery {
	t.Helper()
	c, err := f.svc.WebhookDeliveries(f.owner, endpointID, domain.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.WebhookDelivery
	for _, e := range c.Edges {
		out = append(out, e.Node)
	}
	return out
}

// payload is a webhook body as receivers read it.
type payload struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

func verify(t *testing.T, secret string, r received, ignoreTime bool) payload {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if ignoreTime {
		err = wh.VerifyIgnoringTimestamp(r.body, r.header)
	} else {
		err = wh.Verify(r.body, r.header)
	}
	if err != nil {
		t.Fatalf("the reference library refuses the signature %q: %v", r.header.Get("webhook-signature"), err)
	}
	var p payload
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWebhooksReceiverDownThenUp: events recorded while the receiver
// answers 503 are retried on the schedule (driven by the test clock) and
// all arrive once it is back, none lost, each verified by the Standard
// Webhooks reference library, carrying its sequence, its time and global
// IDs; the delivery log keeps every attempt with a 1 KiB excerpt.
func TestWebhooksReceiverDownThenUp(t *testing.T) {
	for _, st := range notifyStores() {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			f := newHookFixture(t, st.url(t), true)
			down := 4 // the first four requests fail
			rcv := newReceiver(t, func(n int) int {
				if n <= down {
					return http.StatusServiceUnavailable
				}
				return http.StatusOK
			})
			e := f.endpoint(t, rcv.URL+"/hooks", "order.paid", "balance.low")
			other := f.endpoint(t, rcv.URL+"/other", "credit_note.issued") // subscribes to none of them
			orderID := uuid.Must(uuid.NewV7()).String()
			evs := []domain.OrgEvent{
				f.event(t, domain.OrgEventOrderPaid, map[string]string{"orderId": orderID, "orderNumber": "ORD-1"}),
				f.event(t, domain.OrgEventLowBalance, map[string]string{"balance": "10"}),
				f.event(t, domain.OrgEventOrderPaid, map[string]string{"orderId": orderID, "orderNumber": "ORD-2"}),
			}
			f.event(t, domain.OrgEventAutoRechargeResumed, nil) // not subscribed
			for i := 0; i < 20 && len(rcv.requests()) < down+len(evs); i++ {
				f.sweep(t, f.svc)
				f.clock.Advance(domain.DefaultWebhookRetries[min(i, len(domain.DefaultWebhookRetries)-1)])
			}
			got := map[string]payload{}
			for i, r := range rcv.requests() {
				p := verify(t, e.Secret, r, i > 0)
				got[r.header.Get("webhook-id")] = p
			}
			if len(got) != len(evs) {
				t.Fatalf("received %d distinct events, want %d", len(got), len(evs))
			}
			for _, ev := range evs {
				p, ok := got[ev.ID]
				if !ok {
					t.Fatalf("event %s (%s) lost", ev.ID, ev.Kind)
				}
				stored, err := f.store.OrgEventByID(context.Background(), ev.ID)
				if err != nil {
					t.Fatal(err)
				}
				if p.Type != ev.Kind.WebhookType() || !p.Timestamp.Equal(ev.CreatedAt) || p.Data["id"] != ev.ID ||
					p.Data["sequence"] != float64(stored.Seq) || p.Data["orgId"] != graph.EncodeID("Org", f.org.ID) {
					t.Errorf("payload %+v for %+v", p, stored)
				}
				if ev.Kind == domain.OrgEventOrderPaid && p.Data["orderId"] != graph.EncodeID("Order", orderID) {
					t.Errorf("orderId %v, want the Order's global ID", p.Data["orderId"])
				}
			}
			ds := f.deliveries(t, e.ID)
			attempts := 0
			for _, d := range ds {
				if d.Status != domain.WebhookSucceeded {
					t.Errorf("delivery %+v not SUCCEEDED", d)
				}
				as, err := f.svc.WebhookAttempts(f.owner, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				attempts += len(as)
				for _, a := range as {
					if len(a.Response) != domain.MaxWebhookExcerpt {
						t.Errorf("excerpt of %d bytes", len(a.Response))
					}
				}
			}
			if len(ds) != len(evs) || attempts != down+len(evs) {
				t.Errorf("%d deliveries with %d attempts, want %d with %d", len(ds), attempts, len(evs), down+len(evs))
			}
			if n := len(f.deliveries(t, other.ID)); n != 0 {
				t.Errorf("the endpoint subscribed to none got %d deliveries", n)
			}
			ep, err := f.svc.WebhookEndpoint(f.owner, e.ID)
			if err != nil || ep.FailingSince != nil || !ep.Enabled {
				t.Errorf("endpoint after recovering: %+v %v", ep, err)
			}
		})
	}
}

// TestWebhookSecretRotation: during the overlap every delivery carries
// two signatures and the reference library accepts it with either secret;
// after it, only the new one.
func TestWebhookSecretRotation(t *testing.T) {
	f := newHookFixture(t, notifyStores()[0].url(t), true)
	rcv := newReceiver(t, func(int) int { return http.StatusOK })
	e := f.endpoint(t, rcv.URL, "order.paid")
	rotated, err := f.svc.RotateWebhookSecret(f.owner, e.ID, time.Hour, "rotate-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.RotateWebhookSecret(f.owner, e.ID, time.Hour, "rotate-1")
	if err != nil || again.Secret != rotated.Secret || rotated.Secret == e.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
		t.Fatalf("rotation %q, retry %q (%v), old %q", rotated.Secret, again.Secret, err, e.Secret)
	}
	f.event(t, domain.OrgEventOrderPaid, nil)
	f.sweep(t, f.svc)
	reqs := rcv.requests()
	if len(reqs) != 1 || len(strings.Fields(reqs[0].header.Get("webhook-signature"))) != 2 {
		t.Fatalf("during the overlap: %d requests, signature %q", len(reqs), reqs[0].header.Get("webhook-signature"))
	}
	verify(t, e.Secret, reqs[0], false)
	verify(t, rotated.Secret, reqs[0], false)

	f.clock.Advance(time.Hour)
	f.event(t, domain.OrgEventOrderPaid, nil)
	f.sweep(t, f.svc)
	reqs = rcv.requests()
	if len(reqs) != 2 || len(strings.Fields(reqs[1].header.Get("webhook-signature"))) != 1 {
		t.Fatalf("after the overlap: %d requests", len(reqs))
	}
	verify(t, rotated.Secret, reqs[1], true)
	wh, _ := standardwebhooks.NewWebhook(e.Secret)
	if err := wh.VerifyIgnoringTimestamp(reqs[1].body, reqs[1].header); err == nil {
		t.Fatal("the old secret still verifies after the overlap")
	}
}

// TestWebhookSenderCrash: a worker that claimed a delivery and died
// mid-request (its context canceled, its service dropped) records
// nothing; the delivery is not sent again while the lease holds, and a
// new service (a restart) delivers it once the lease expired, with the
// same webhook-id.
func TestWebhookSenderCrash(t *testing.T) {
	for _, st := range notifyStores() {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			f := newHookFixture(t, st.url(t), true)
			rcv := newReceiver(t, func(int) int { return http.StatusOK })
			rcv.block, rcv.inside = make(chan struct{}), make(chan struct{})
			defer close(rcv.block)
			e := f.endpoint(t, rcv.URL, "order.paid")
			ev := f.event(t, domain.OrgEventOrderPaid, nil)
			if _, err := f.svc.FanOutWebhooks(context.Background(), 10); err != nil {
				t.Fatal(err)
			}
			due, err := f.svc.DueWebhookDeliveries(context.Background(), 10)
			if err != nil || len(due) != 1 {
				t.Fatalf("due: %v %v", due, err)
			}
			ctx, crash := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- f.svc.DeliverWebhook(ctx, due[0].ID, due[0].Claims) }()
			<-rcv.inside // the request is at the receiver
			crash()
			if err := <-done; err == nil {
				t.Fatal("the crashed attempt reported success")
			}
			restarted := f.newService(true)
			f.sweep(t, restarted)
			if n := len(rcv.requests()); n != 1 {
				t.Fatalf("sent again while the lease holds: %d requests", n)
			}
			f.clock.Advance(31 * time.Second)
			f.sweep(t, restarted)
			reqs := rcv.requests()
			if len(reqs) != 2 || reqs[1].header.Get("webhook-id") != ev.ID {
				t.Fatalf("after the lease: %d requests", len(reqs))
			}
			verify(t, e.Secret, reqs[1], false)
			ds := f.deliveries(t, e.ID)
			if len(ds) != 1 || ds[0].Status != domain.WebhookSucceeded || ds[0].Attempts != 1 || ds[0].Claims != 2 {
				t.Fatalf("delivery %+v", ds)
			}
		})
	}
}

// TestWebhookEndpointDisabled: an endpoint that fails on every attempt
// for longer than DisableAfter is disabled with a reason, and a
// WEBHOOK_ENDPOINT_DISABLED event (mailed) names its URL, since when it
// fails and its last error; its deliveries wait. Re-enabling it clears
// the failing state and a redelivery of the FAILED one succeeds.
func TestWebhookEndpointDisabled(t *testing.T) {
	f := newHookFixture(t, notifyStores()[0].url(t), true)
	up := false
	var mu sync.Mutex
	rcv := newReceiver(t, func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if up {
			return http.StatusOK
		}
		return http.StatusInternalServerError
	})
	e := f.endpoint(t, rcv.URL, "order.paid")
	f.event(t, domain.OrgEventOrderPaid, nil)
	for _, wait := range domain.DefaultWebhookRetries {
		f.sweep(t, f.svc)
		f.clock.Advance(wait)
	}
	f.sweep(t, f.svc)
	got, err := f.svc.WebhookEndpoint(f.owner, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || got.FailingSince == nil || !strings.Contains(got.DisabledReason, "no successful delivery") {
		t.Fatalf("endpoint after failing for days: %+v", got)
	}
	h, err := f.svc.OrgHistory(f.owner, f.org.ID, domain.Page{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	var disabled *domain.OrgEvent
	for _, edge := range h.Edges {
		if edge.Node.Kind == domain.OrgEventWebhookEndpointDisabled {
			disabled = &edge.Node
		}
	}
	if disabled == nil || !disabled.Notify || disabled.Detail["url"] != e.URL || disabled.Detail["lastError"] != "HTTP 500" || disabled.Detail["failingSince"] == "" {
		t.Fatalf("disabled event %+v", disabled)
	}
	ds := f.deliveries(t, e.ID)
	if len(ds) != 1 || ds[0].Attempts > len(domain.DefaultWebhookRetries)+1 {
		t.Fatalf("deliveries %+v", ds)
	}
	// A disabled endpoint gets nothing: neither sweeps nor a test event.
	n := len(rcv.requests())
	f.clock.Advance(48 * time.Hour)
	f.sweep(t, f.svc)
	if len(rcv.requests()) != n {
		t.Fatal("a disabled endpoint was sent to")
	}
	if _, err := f.svc.SendWebhookTest(f.owner, e.ID, "t0"); !domain.IsCode(err, domain.CodeConflict) {
		t.Fatalf("test event on a disabled endpoint: %v", err)
	}

	mu.Lock()
	up = true
	mu.Unlock()
	on := true
	if got, err = f.svc.UpdateWebhookEndpoint(f.owner, domain.WebhookEndpointUpdate{ID: e.ID, Enabled: &on}); err != nil || got.FailingSince != nil || got.DisabledReason != "" {
		t.Fatalf("re-enabled: %+v %v", got, err)
	}
	f.sweep(t, f.svc)
	// Redeliver whatever did not succeed (a FAILED one), then a test event.
	for _, d := range f.deliveries(t, e.ID) {
		if d.Status != domain.WebhookSucceeded {
			if _, err := f.svc.RedeliverWebhook(f.owner, d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	test, err := f.svc.SendWebhookTest(f.owner, e.ID, "t1")
	if err != nil {
		t.Fatal(err)
	}
	f.sweep(t, f.svc)
	for _, d := range f.deliveries(t, e.ID) {
		if d.Status != domain.WebhookSucceeded {
			t.Errorf("after re-enabling: %+v", d)
		}
	}
	last := rcv.requests()[len(rcv.requests())-1]
	if p := verify(t, e.Secret, last, true); p.Type != "webhook.test" || last.header.Get("webhook-id") != test.EventID {
		t.Errorf("test event %+v", p)
	}
	// A SUCCEEDED delivery redelivered is sent again.
	before := len(rcv.requests())
	if _, err := f.svc.RedeliverWebhook(f.owner, test.ID); err != nil {
		t.Fatal(err)
	}
	f.sweep(t, f.svc)
	if len(rcv.requests()) != before+1 {
		t.Fatal("redelivery of a succeeded delivery was not sent")
	}
}

// TestWebhookSSRF: with private addresses refused, an endpoint on
// loopback is never reached and its attempt records why; with them
// allowed, it is.
func TestWebhookSSRF(t *testing.T) {
	for _, allow := range []bool{false, true} {
		f := newHookFixture(t, notifyStores()[0].url(t), allow)
		rcv := newReceiver(t, func(int) int { return http.StatusOK })
		e := f.endpoint(t, rcv.URL, "order.paid")
		f.event(t, domain.OrgEventOrderPaid, nil)
		f.sweep(t, f.svc)
		ds := f.deliveries(t, e.ID)
		if len(ds) != 1 {
			t.Fatalf("deliveries %+v", ds)
		}
		if allow {
			if ds[0].Status != domain.WebhookSucceeded || len(rcv.requests()) != 1 {
				t.Errorf("allowed: %+v", ds[0])
			}
			continue
		}
		if len(rcv.requests()) != 0 || ds[0].Status != domain.WebhookPending || !strings.Contains(ds[0].LastError, "non-public address") {
			t.Errorf("refused: %d requests, delivery %+v", len(rcv.requests()), ds[0])
		}
	}
}

// TestWebhookRolledBackEvent: an event recorded in a transaction that
// rolls back is never fanned out nor sent; the committed one is.
func TestWebhookRolledBackEvent(t *testing.T) {
	for _, st := range notifyStores() {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			f := newHookFixture(t, st.url(t), true)
			rcv := newReceiver(t, func(int) int { return http.StatusOK })
			f.endpoint(t, rcv.URL, "order.paid")
			ctx := context.Background()
			rolled := uuid.Must(uuid.NewV7()).String()
			err := f.store.InTx(ctx, func(tx domain.Store) error {
				f.clock.Advance(time.Millisecond)
				if _, err := tx.AddOrgEvent(ctx, domain.OrgEvent{ID: rolled, OrgID: f.org.ID, Kind: domain.OrgEventOrderPaid,
					Key: "rolled:" + rolled, Detail: map[string]string{}, CreatedAt: f.clock.Now()}); err != nil {
					return err
				}
				return domain.Errorf(domain.CodeConflict, "the change failed")
			})
			if !domain.IsCode(err, domain.CodeConflict) {
				t.Fatal(err)
			}
			kept := f.event(t, domain.OrgEventOrderPaid, nil)
			f.sweep(t, f.svc)
			reqs := rcv.requests()
			if len(reqs) != 1 || reqs[0].header.Get("webhook-id") != kept.ID {
				t.Fatalf("%d requests; want only the committed event", len(reqs))
			}
		})
	}
}
