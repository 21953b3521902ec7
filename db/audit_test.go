package db_test

import (
	"fmt"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// exec runs raw statements on d in one transaction (so that a SQLite
// PRAGMA among them holds for the rest).
func exec(t *testing.T, d *db.DB, stmts ...string) {
	t.Helper()
	err := d.InTx(ctx(), func(tx domain.Store) error {
		for _, s := range stmts {
			if err := tx.(*db.DB).Gorm().Exec(s).Error; err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	must(t, err)
}

func audit(t *testing.T, d *db.DB, opts db.AuditOptions) domain.AuditReport {
	t.Helper()
	rep, err := d.Audit(ctx(), opts)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return rep
}

// TestAuditCapsTheList: every discrepancy is counted, MaxList are listed.
func TestAuditCapsTheList(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for range 3 {
			org := mkOrg(t, d)
			grantCredits(t, d, org.ID, domain.GrantPurchased, 100, nil)
			exec(t, d, fmt.Sprintf("UPDATE org_balances SET total = total + 1, paid = paid + 1 WHERE org_id = '%s'", org.ID))
		}
		rep := audit(t, d, db.AuditOptions{MaxList: 2})
		if rep.Found[domain.AuditLedgerBalance] != 3 || len(rep.Listed) != 2 || !rep.Truncated {
			t.Fatalf("found %v, listed %d, truncated %v; want 3 found, 2 listed", rep.Found, len(rep.Listed), rep.Truncated)
		}
		rep = audit(t, d, db.AuditOptions{MaxList: -1})
		if rep.Total() != 3 || len(rep.Listed) != 0 {
			t.Fatalf("MaxList -1: found %v, listed %d", rep.Found, len(rep.Listed))
		}
	})
}
