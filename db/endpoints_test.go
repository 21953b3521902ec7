package db_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestWebhookEndpoints: endpoints save and list; org events get a growing
// seq and wait in the fan-out outbox until marked; a delivery is unique
// per event and endpoint; a due delivery is claimed once per claim count,
// held by its lease until it expires, and a finished attempt by a worker
// whose lease was taken over is logged but does not overwrite the state;
// deleting an endpoint removes its deliveries.
func TestWebhookEndpoints(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		e := domain.WebhookEndpoint{ID: newID(), OrgID: o.ID, URL: "https://example.com/hook", EventTypes: []string{"order.paid"},
			Enabled: true, Secret: "whsec_a", CreatedAt: t0, UpdatedAt: t0}
		must(t, d.CreateWebhookEndpoint(ctx(), e))
		until := t0.Add(time.Hour)
		e.PreviousSecret, e.PreviousSecretUntil, e.Secret, e.FailingSince = "whsec_a", &until, "whsec_b", &t0
		must(t, d.UpdateWebhookEndpoint(ctx(), e))
		es, err := d.ListWebhookEndpoints(ctx(), o.ID)
		must(t, err)
		if len(es) != 1 || es[0].Secret != "whsec_b" || es[0].PreviousSecret != "whsec_a" || !es[0].PreviousSecretUntil.Equal(until) ||
			es[0].FailingSince == nil || len(es[0].EventTypes) != 1 {
			t.Fatalf("endpoints: %+v", es)
		}

		var evs []domain.OrgEvent
		for i := range 3 {
			ev := domain.OrgEvent{ID: newID(), OrgID: o.ID, Kind: domain.OrgEventOrderPaid, Key: fmt.Sprintf("hook%d:%s", i, o.ID),
				Detail: map[string]string{}, CreatedAt: t0}
			_, err := d.AddOrgEvent(ctx(), ev)
			must(t, err)
			got, err := d.OrgEventByID(ctx(), ev.ID)
			must(t, err)
			if i > 0 && got.Seq <= evs[i-1].Seq {
				t.Fatalf("seq %d after %d", got.Seq, evs[i-1].Seq)
			}
			evs = append(evs, got)
		}
		unfanned := func() map[string]bool {
			evs, err := d.UnfannedOrgEvents(ctx(), 1000)
			must(t, err)
			m := map[string]bool{}
			for _, ev := range evs {
				m[ev.ID] = true
			}
			return m
		}
		if u := unfanned(); !u[evs[0].ID] || !u[evs[2].ID] {
			t.Fatalf("unfanned: %v", u)
		}
		must(t, d.MarkOrgEventFannedOut(ctx(), evs[0].ID, t0))
		if unfanned()[evs[0].ID] {
			t.Fatal("fanned out event still listed")
		}

		del := domain.WebhookDelivery{ID: newID(), OrgID: o.ID, EndpointID: e.ID, EventID: evs[0].ID, EventType: "order.paid", Status: domain.WebhookPending,
			NextAttemptAt: &t0, CreatedAt: t0, UpdatedAt: t0}
		for _, want := range []bool{true, false} {
			dup := del
			if !want {
				dup.ID = newID()
			}
			added, err := d.AddWebhookDelivery(ctx(), dup)
			must(t, err)
			if added != want {
				t.Fatalf("added = %v, want %v", added, want)
			}
		}
		due := func(at time.Time) int {
			ds, err := d.DueWebhookDeliveries(ctx(), at, 1000)
			must(t, err)
			n := 0
			for _, x := range ds {
				if x.ID == del.ID {
					n++
				}
			}
			return n
		}
		if due(t0.Add(-time.Second)) != 0 || due(t0) != 1 {
			t.Fatal("due listing")
		}
		lease := t0.Add(time.Minute)
		for i, want := range []bool{true, false} {
			ok, err := d.ClaimWebhookDelivery(ctx(), del.ID, 0, t0, lease)
			must(t, err)
			if ok != want {
				t.Fatalf("claim %d = %v", i, ok)
			}
		}
		if due(t0.Add(30*time.Second)) != 0 || due(lease) != 1 {
			t.Fatal("a held delivery is not due until its lease ends")
		}
		// The lease expired: a second worker claims (claims 1 → 2).
		ok, err := d.ClaimWebhookDelivery(ctx(), del.ID, 1, lease, lease.Add(time.Minute))
		must(t, err)
		if !ok {
			t.Fatal("reclaim after the lease")
		}
		stale := del
		stale.Status, stale.Attempts, stale.NextAttemptAt = domain.WebhookSucceeded, 1, nil
		saved, err := d.FinishWebhookAttempt(ctx(), stale, 1, domain.WebhookAttempt{ID: newID(), DeliveryID: del.ID, At: t0, StatusCode: 200})
		must(t, err)
		if saved {
			t.Fatal("the first worker's late finish overwrote the second's claim")
		}
		fail := del
		next := lease.Add(time.Hour)
		fail.Attempts, fail.NextAttemptAt, fail.LastStatusCode, fail.LastError, fail.LastResponse, fail.LastLatency = 1, &next, 500, "HTTP 500", "oops", 1500*time.Millisecond
		saved, err = d.FinishWebhookAttempt(ctx(), fail, 2, domain.WebhookAttempt{ID: newID(), DeliveryID: del.ID, At: lease, StatusCode: 500, Latency: 1500 * time.Millisecond, Response: "oops", Error: "HTTP 500"})
		must(t, err)
		if !saved {
			t.Fatal("the current claim's finish was not saved")
		}
		got, err := d.WebhookDeliveryByID(ctx(), del.ID)
		must(t, err)
		if got.Status != domain.WebhookPending || got.Attempts != 1 || got.Claims != 2 || got.LeaseUntil != nil ||
			!got.NextAttemptAt.Equal(next) || got.LastLatency != 1500*time.Millisecond || got.LastResponse != "oops" {
			t.Fatalf("after the attempt: %+v", got)
		}
		as, err := d.WebhookAttempts(ctx(), del.ID)
		must(t, err)
		if len(as) != 2 || as[1].StatusCode != 500 {
			t.Fatalf("attempts: %+v", as)
		}
		must(t, d.RescheduleWebhookDelivery(ctx(), del.ID, t0))
		if due(t0) != 1 {
			t.Fatal("redelivery is not due")
		}
		page, err := d.ListWebhookDeliveries(ctx(), e.ID, domain.Page{First: 10})
		must(t, err)
		if len(page.Edges) != 1 || page.HasNextPage {
			t.Fatalf("deliveries: %+v", page)
		}
		e.Enabled = false
		must(t, d.UpdateWebhookEndpoint(ctx(), e))
		if due(t0) != 0 {
			t.Fatal("a disabled endpoint's delivery is due")
		}
		must(t, d.DeleteWebhookEndpoint(ctx(), e.ID))
		wantCode(t, mapNil(d.WebhookDeliveryByID(ctx(), del.ID)), domain.CodeNotFound)
		wantCode(t, d.DeleteWebhookEndpoint(ctx(), e.ID), domain.CodeNotFound)
	})
}

func mapNil[T any](_ T, err error) error { return err }
