package db_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestOrgEvents: an event's key records it once, even inside a
// transaction that goes on after the repeat; the history pages newest
// first; the outbox lists unsent notifying events oldest first and
// forgets them once sent, keeping the first instant.
func TestOrgEvents(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		ev := func(i int, kind domain.OrgEventKind) domain.OrgEvent {
			return domain.OrgEvent{ID: newID(), OrgID: o.ID, Kind: kind, Key: fmt.Sprintf("k%d:%s", i, o.ID),
				Detail: map[string]string{"n": fmt.Sprint(i)}, CreatedAt: t0.Add(time.Duration(i) * time.Minute), Notify: kind.Notifies()}
		}
		kinds := []domain.OrgEventKind{domain.OrgEventPaymentFailed, domain.OrgEventAutoRechargeStarted, domain.OrgEventSuspended}
		for i, k := range kinds {
			must(t, d.InTx(ctx(), func(tx domain.Store) error {
				for _, tc := range []struct {
					e    domain.OrgEvent
					want bool
				}{{ev(i, k), true}, {ev(i, k), false}} { // the repeat has a new ID, the same key
					got, err := tx.AddOrgEvent(ctx(), tc.e)
					if err != nil {
						return err
					}
					if got != tc.want {
						t.Errorf("event %d inserted = %v, want %v", i, got, tc.want)
					}
				}
				// The transaction is still usable after the repeat.
				_, err := tx.OrgByID(ctx(), o.ID)
				return err
			}))
		}

		first, err := d.ListOrgEvents(ctx(), o.ID, domain.Page{First: 2})
		must(t, err)
		if len(first.Edges) != 2 || !first.HasNextPage || first.Edges[0].Node.Kind != domain.OrgEventSuspended {
			t.Fatalf("first page: %+v", first)
		}
		if got := first.Edges[0].Node.Detail["n"]; got != "2" {
			t.Errorf("detail = %q", got)
		}
		rest, err := d.ListOrgEvents(ctx(), o.ID, domain.Page{First: 2, After: first.Edges[1].Cursor})
		must(t, err)
		if len(rest.Edges) != 1 || rest.HasNextPage || rest.Edges[0].Node.Kind != domain.OrgEventPaymentFailed {
			t.Fatalf("second page: %+v", rest)
		}

		unsent, err := d.UnsentNotifications(ctx(), 10)
		must(t, err)
		var mine []domain.OrgEvent
		for _, u := range unsent {
			if u.OrgID == o.ID {
				mine = append(mine, u)
			}
		}
		if len(mine) != 2 || mine[0].Kind != domain.OrgEventPaymentFailed || mine[1].Kind != domain.OrgEventSuspended {
			t.Fatalf("unsent: %+v", mine)
		}
		must(t, d.MarkNotificationFailed(ctx(), mine[0].ID, "421 try later"))
		must(t, d.MarkNotificationSent(ctx(), mine[0].ID, t0.Add(time.Hour)))
		must(t, d.MarkNotificationSent(ctx(), mine[0].ID, t0.Add(2*time.Hour)))
		got, err := d.OrgEventByID(ctx(), mine[0].ID)
		must(t, err)
		if got.SentAt == nil || !got.SentAt.Equal(t0.Add(time.Hour)) || got.Attempts != 1 || got.LastError != "421 try later" {
			t.Errorf("after sending: %+v", got)
		}
		wantCode(t, d.MarkNotificationSent(ctx(), newID(), t0), domain.CodeNotFound)
	})
}

// TestOrgEventRolledBack: an event recorded in a transaction that then
// fails (a later statement failing, or the caller returning an error) is
// gone with the transaction's other writes, on both stores; the same key
// recorded again afterwards is inserted once.
func TestOrgEventRolledBack(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		key := "order_paid:" + o.ID
		ev := func() domain.OrgEvent {
			return domain.OrgEvent{ID: newID(), OrgID: o.ID, Kind: domain.OrgEventOrderPaid, Key: key,
				Detail: map[string]string{"orderId": "o1"}, CreatedAt: t0}
		}
		injected := errors.New("injected")
		for _, fail := range []struct {
			name string
			then func(tx domain.Store) error
		}{
			{"caller error", func(domain.Store) error { return injected }},
			// A later statement fails: an order update of an order that
			// does not exist.
			{"failing statement", func(tx domain.Store) error {
				return tx.UpdateOrder(ctx(), domain.Order{ID: newID(), OrgID: o.ID, Version: 2})
			}},
		} {
			err := d.InTx(ctx(), func(tx domain.Store) error {
				renamed := o
				renamed.Name = "renamed"
				if err := tx.UpdateOrg(ctx(), renamed); err != nil {
					return err
				}
				if ok, err := tx.AddOrgEvent(ctx(), ev()); err != nil || !ok {
					t.Fatalf("%s: inserted = %v, %v", fail.name, ok, err)
				}
				return fail.then(tx)
			})
			if err == nil {
				t.Fatalf("%s: the transaction committed", fail.name)
			}
			c, err := d.ListOrgEvents(ctx(), o.ID, domain.Page{First: 10})
			must(t, err)
			if len(c.Edges) != 0 {
				t.Fatalf("%s: %d events after the rollback", fail.name, len(c.Edges))
			}
			got, err := d.OrgByID(ctx(), o.ID)
			must(t, err)
			if got.Name == "renamed" {
				t.Fatalf("%s: the change was kept", fail.name)
			}
		}
		for i, want := range []bool{true, false} {
			must(t, d.InTx(ctx(), func(tx domain.Store) error {
				ok, err := tx.AddOrgEvent(ctx(), ev())
				if ok != want {
					t.Errorf("retry %d inserted = %v, want %v", i, ok, want)
				}
				return err
			}))
		}
		c, err := d.ListOrgEvents(ctx(), o.ID, domain.Page{First: 10})
		must(t, err)
		if len(c.Edges) != 1 {
			t.Fatalf("%d events after the retries, want 1", len(c.Edges))
		}
	})
}
