package db_test

import (
	"slices"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestLowBalanceAlerts(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		zero, below, alertedAbove, fine, deleted := mkOrg(t, d), mkOrg(t, d), mkOrg(t, d), mkOrg(t, d), mkOrg(t, d)
		a, err := d.LowBalanceAlertOf(ctx(), zero.ID)
		if err != nil || a != (domain.LowBalanceAlert{}) {
			t.Fatalf("a new org's alert = %+v, %v", a, err)
		}
		// Every balance is 0. Listed: below the threshold and not alerted.
		// Not listed: below and alerted (fine), deleted, and an alert that
		// is off (threshold 0). The domain tests cover a balance back above.
		must(t, d.SaveLowBalanceAlert(ctx(), below.ID, domain.LowBalanceAlert{Threshold: 100}))
		must(t, d.SaveLowBalanceAlert(ctx(), fine.ID, domain.LowBalanceAlert{Threshold: 100, Alerted: true}))
		must(t, d.SaveLowBalanceAlert(ctx(), deleted.ID, domain.LowBalanceAlert{Threshold: 100}))
		must(t, d.MarkOrgDeleted(ctx(), deleted.ID, "gone", t0))
		must(t, d.SaveLowBalanceAlert(ctx(), alertedAbove.ID, domain.LowBalanceAlert{Threshold: 0, Alerted: true}))
		a, err = d.LowBalanceAlertOf(ctx(), fine.ID)
		if err != nil || a != (domain.LowBalanceAlert{Threshold: 100, Alerted: true}) {
			t.Fatalf("saved alert = %+v, %v", a, err)
		}
		ids, err := d.OrgsToCheckLowBalance(ctx(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, []string{below.ID}) {
			t.Fatalf("orgs to check = %v, want only %s (below, not alerted)", ids, below.ID)
		}
		wantCode(t, d.SaveLowBalanceAlert(ctx(), newID(), domain.LowBalanceAlert{Threshold: 1}), domain.CodeNotFound)
		_, err = d.LowBalanceAlertOf(ctx(), newID())
		wantCode(t, err, domain.CodeNotFound)
	})
}
