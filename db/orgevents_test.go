package db_test

import (
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
