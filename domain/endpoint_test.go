package domain_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// fakeSender answers every post with the next scripted status (the last
// one repeats) and keeps the requests.
type fakeSender struct {
	mu     sync.Mutex
	status []int
	sent   []domain.OutboundRequest
}

func (f *fakeSender) Send(_ context.Context, r domain.OutboundRequest) (domain.OutboundResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, r)
	st := f.status[min(len(f.sent), len(f.status))-1]
	return domain.OutboundResponse{StatusCode: st, Excerpt: "answer"}, nil
}

// encodeID stands in for graph.EncodeID.
func encodeID(typ, id string) string { return typ + "/" + id }

// TestSignWebhookSpecVector: SignWebhook gives the signature of the
// Standard Webhooks reference library's own test vector.
func TestSignWebhookSpecVector(t *testing.T) {
	got, err := domain.SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil || got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("signature %q, %v", got, err)
	}
	if _, err := domain.SignWebhook("whsec_not base64!", "m", 1, nil); err == nil {
		t.Fatal("a malformed secret signed")
	}
}

// TestWebhookEndpointInput: URLs, event types and descriptions are
// checked before anything is stored; https is required when configured;
// a repeated idempotency key answers the same endpoint and secret.
func TestWebhookEndpointInput(t *testing.T) {
	d := dbtest.SQLite(t)
	for _, prod := range []bool{false, true} {
		f := newFixture(t, d, domain.Config{Webhooks: domain.WebhookConfig{RequireHTTPS: prod}})
		n := 0
		create := func(url string, types []string, desc string) (domain.WebhookEndpoint, error) {
			n++
			return f.svc.CreateWebhookEndpoint(f.owner, domain.WebhookEndpointInput{OrgID: f.org.ID, URL: url, EventTypes: types,
				Description: desc, IdempotencyKey: "k" + string(rune('a'+n))})
		}
		paid := []string{"order.paid"}
		for _, tc := range []struct {
			url   string
			types []string
			desc  string
			field string // "" when accepted
		}{
			{"https://example.com/hook", paid, "", ""},
			{"http://example.com/hook", paid, "", map[bool]string{false: "", true: "url"}[prod]},
			{"/relative", paid, "", "url"},
			{"example.com/hook", paid, "", "url"},
			{"ftp://example.com/x", paid, "", "url"},
			{"https://user:pw@example.com/x", paid, "", "url"},
			{"https://example.com/x#frag", paid, "", "url"},
			{"https:///nohost", paid, "", "url"},
			{"https://example.com/" + strings.Repeat("a", 2030), paid, "", "url"},
			{"", paid, "", "url"},
			{"https://example.com/x", nil, "", "eventTypes"},
			{"https://example.com/x", []string{"order.exploded"}, "", "eventTypes"},
			{"https://example.com/x", []string{"webhook.test"}, "", "eventTypes"},
			{"https://example.com/x", paid, strings.Repeat("d", 501), "description"},
		} {
			_, err := create(tc.url, tc.types, tc.desc)
			if tc.field == "" && err != nil {
				t.Errorf("prod=%v %q: %v", prod, tc.url, err)
			}
			if tc.field != "" {
				var de *domain.Error
				if !domain.IsCode(err, domain.CodeInvalidInput) || !asError(err, &de) || de.Field != tc.field {
					t.Errorf("prod=%v %q %v: %v, want INVALID_INPUT on %s", prod, tc.url, tc.types, err, tc.field)
				}
			}
		}
		in := domain.WebhookEndpointInput{OrgID: f.org.ID, URL: "https://example.com/a", EventTypes: []string{"order.refunded", "order.paid", "order.paid"}, IdempotencyKey: "same"}
		a, err := f.svc.CreateWebhookEndpoint(f.owner, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.CreateWebhookEndpoint(f.owner, in)
		if err != nil || b.ID != a.ID || b.Secret != a.Secret || strings.Join(a.EventTypes, ",") != "order.paid,order.refunded" {
			t.Fatalf("replay %+v of %+v (%v)", b, a, err)
		}
		in.URL = "https://example.com/b"
		if _, err := f.svc.CreateWebhookEndpoint(f.owner, in); !domain.IsCode(err, domain.CodeConflict) {
			t.Fatalf("key reused with other input: %v", err)
		}
		if _, err := f.svc.RotateWebhookSecret(f.owner, a.ID, 8*day, "r"); !domain.IsCode(err, domain.CodeInvalidInput) {
			t.Fatalf("overlap of 8 days: %v", err)
		}
	}
}

func asError(err error, out **domain.Error) bool {
	de, ok := err.(*domain.Error)
	*out = de
	return ok
}

// TestWebhookDeliverySchedule: a delivery that keeps failing is tried at
// the schedule's times and FAILED after its last attempt; the endpoint is
// disabled once it has failed for DisableAfter, recording a mailed event;
// redirects count as failures. Payloads carry global IDs through the
// injected encoder, the sequence and the event's time.
func TestWebhookDeliverySchedule(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		send := &fakeSender{status: []int{http.StatusFound, http.StatusInternalServerError}}
		retries := []time.Duration{time.Minute, time.Hour, 10 * time.Hour}
		f := newFixtureStore(t, d, domain.Config{Webhooks: domain.WebhookConfig{Retries: retries, DisableAfter: 11 * time.Hour}},
			domain.WithWebhookSender(send, encodeID))
		e, err := f.svc.CreateWebhookEndpoint(f.owner, domain.WebhookEndpointInput{OrgID: f.org.ID, URL: "https://example.com/h",
			EventTypes: []string{"balance.low"}, IdempotencyKey: "e"})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(t0.Add(time.Second))
		if _, err := f.svc.SetLowBalanceAlert(f.owner, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: 1_000_000, IdempotencyKey: "low"}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var at []time.Time
		for range 10 {
			if _, err := f.svc.FanOutWebhooks(ctx, 100); err != nil {
				t.Fatal(err)
			}
			due, err := f.svc.DueWebhookDeliveries(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, dd := range due {
				if dd.EndpointID == e.ID {
					at = append(at, f.clock.Now())
					if err := f.svc.DeliverWebhook(ctx, dd.ID, dd.Claims); err != nil {
						t.Fatal(err)
					}
				}
			}
			// On to the next attempt's time: one second early (nothing
			// is due), then on time.
			if n := len(at); n >= 1 && n <= len(retries) {
				next := at[n-1].Add(retries[n-1])
				f.clock.Set(next.Add(-time.Second))
				if due, _ := f.svc.DueWebhookDeliveries(ctx, 100); len(due) != 0 {
					t.Fatalf("due a second before attempt %d", n+1)
				}
				f.clock.Set(next)
			}
		}
		if len(at) != len(retries)+1 {
			t.Fatalf("%d attempts at %v, want %d", len(at), at, len(retries)+1)
		}
		for i, r := range retries {
			if at[i+1].Sub(at[i]) != r {
				t.Errorf("attempt %d after %v, want %v", i+2, at[i+1].Sub(at[i]), r)
			}
		}
		c, err := f.svc.WebhookDeliveries(f.owner, e.ID, domain.Page{First: 10})
		if err != nil || len(c.Edges) != 1 {
			t.Fatalf("deliveries %+v %v", c, err)
		}
		del := c.Edges[0].Node
		if del.Status != domain.WebhookFailed || del.Attempts != 4 || del.NextAttemptAt != nil {
			t.Errorf("delivery %+v", del)
		}
		as, err := f.svc.WebhookAttempts(f.owner, del.ID)
		if err != nil || len(as) != 4 || !strings.Contains(as[0].Error, "redirects are not followed") || as[1].Error != "HTTP 500" {
			t.Errorf("attempts %+v %v", as, err)
		}
		got, err := f.svc.WebhookEndpoint(f.owner, e.ID)
		if err != nil || got.Enabled || got.DisabledReason == "" {
			t.Errorf("endpoint after failing 11h: %+v %v", got, err)
		}
		h, err := f.svc.OrgHistory(f.owner, f.org.ID, domain.Page{First: 10})
		if err != nil || h.Edges[0].Node.Kind != domain.OrgEventWebhookEndpointDisabled || !h.Edges[0].Node.Notify {
			t.Errorf("history %+v %v", h, err)
		}

		var body struct {
			Type      string
			Timestamp time.Time
			Data      map[string]any
		}
		r := send.sent[0]
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Type != "balance.low" || body.Data["orgId"] != "Org/"+f.org.ID || body.Data["id"] != r.Headers["webhook-id"] ||
			body.Data["sequence"] == nil || !body.Timestamp.Equal(t0.Add(time.Second)) {
			t.Errorf("payload %s headers %v", r.Body, r.Headers)
		}
		wh, _ := standardwebhooks.NewWebhook(e.Secret)
		hdr := http.Header{}
		for k, v := range r.Headers {
			hdr.Set(k, v)
		}
		if err := wh.VerifyIgnoringTimestamp(r.Body, hdr); err != nil {
			t.Errorf("reference library: %v", err)
		}
	})
}

// TestWebhookEndpointsGoWithTheOrg: deleting an org deletes its
// endpoints, so nothing more is posted about it.
func TestWebhookEndpointsGoWithTheOrg(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d, domain.Config{})
	e, err := f.svc.CreateWebhookEndpoint(f.owner, domain.WebhookEndpointInput{OrgID: f.org.ID, URL: "https://example.com/h",
		EventTypes: []string{"org.closed"}, IdempotencyKey: "e"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeleteOrg(f.owner, domain.DeleteOrgInput{OrgID: f.org.ID, ConfirmName: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.WebhookEndpointByID(context.Background(), e.ID); !domain.IsCode(err, domain.CodeNotFound) {
		t.Fatalf("endpoint after deleting its org: %v", err)
	}
}

// TestWebhookEndpointReenabled: an endpoint disabled with a delivery
// still PENDING (its next attempt a day away) sends it at once when
// enabled again, its failing state cleared.
func TestWebhookEndpointReenabled(t *testing.T) {
	d := dbtest.SQLite(t)
	send := &fakeSender{status: []int{500, 500, 200}}
	f := newFixtureStore(t, d, domain.Config{Webhooks: domain.WebhookConfig{Retries: []time.Duration{time.Hour, 24 * time.Hour}, DisableAfter: time.Hour}},
		domain.WithWebhookSender(send, encodeID))
	e, err := f.svc.CreateWebhookEndpoint(f.owner, domain.WebhookEndpointInput{OrgID: f.org.ID, URL: "https://example.com/h",
		EventTypes: []string{"balance.low"}, IdempotencyKey: "e"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0.Add(time.Second))
	if _, err := f.svc.SetLowBalanceAlert(f.owner, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: 1_000_000, IdempotencyKey: "low"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	attempt := func() int {
		if _, err := f.svc.FanOutWebhooks(ctx, 100); err != nil {
			t.Fatal(err)
		}
		due, err := f.svc.DueWebhookDeliveries(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, dd := range due {
			if err := f.svc.DeliverWebhook(ctx, dd.ID, dd.Claims); err != nil {
				t.Fatal(err)
			}
		}
		return len(due)
	}
	if attempt() != 1 {
		t.Fatal("first attempt")
	}
	f.clock.Set(f.clock.Now().Add(time.Hour))
	if attempt() != 1 {
		t.Fatal("second attempt")
	}
	got, err := f.svc.WebhookEndpoint(f.owner, e.ID)
	if err != nil || got.Enabled {
		t.Fatalf("not disabled after failing an hour: %+v %v", got, err)
	}
	on := true
	if _, err := f.svc.UpdateWebhookEndpoint(f.owner, domain.WebhookEndpointUpdate{ID: e.ID, Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	if attempt() != 1 {
		t.Fatal("the waiting delivery was not due at once after enabling")
	}
	c, err := f.svc.WebhookDeliveries(f.owner, e.ID, domain.Page{})
	if err != nil || c.Edges[0].Node.Status != domain.WebhookSucceeded {
		t.Fatalf("%+v %v", c, err)
	}
	if got, _ = f.svc.WebhookEndpoint(f.owner, e.ID); got.FailingSince != nil || !got.Enabled {
		t.Fatalf("endpoint %+v", got)
	}
}
