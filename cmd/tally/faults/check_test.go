package faults

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db"
)

// openStore opens dbURL for the checks' reads, closed at cleanup.
func openStore(t *testing.T, dbURL string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// snapshot runs fn in one read-only transaction that sees one state of
// the store (REPEATABLE READ on PostgreSQL; a SQLite read transaction
// reads one snapshot).
func snapshot(t *testing.T, d *db.DB, fn func(tx *gorm.DB) error) {
	t.Helper()
	opts := &sql.TxOptions{ReadOnly: true}
	if d.Dialect() == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	if d.Dialect() == "sqlite" {
		opts = nil // the SQLite driver takes no options
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Gorm().WithContext(ctx).Transaction(fn, opts); err != nil {
		t.Fatal(err)
	}
}

// checkConsistent checks the invariants of the store at dbURL that hold
// after any fault, in one snapshot, and reports each broken one:
//   - per org, the ledger's entries sum to the balance, which is never
//     negative; entries are numbered 1..n without gaps and the last one's
//     balance after is the balance;
//   - per org, the open grants hold the balance;
//   - every PAID order has exactly one grant of its credits (the one it
//     names) and one invoice; an order that was never paid has neither;
//   - `tally audit` finds no discrepancy.
func checkConsistent(t *testing.T, dbURL string) {
	t.Helper()
	d := openStore(t, dbURL)
	var problems []string
	snapshot(t, d, func(tx *gorm.DB) error {
		var orgs []struct {
			OrgID                   string
			Total, Sum, N, MaxSeq   int64
			LastAfter, Held, MinAft int64
		}
		err := tx.Raw(`SELECT b.org_id, b.total,
			  COALESCE((SELECT SUM(amount) FROM ledger_entries l WHERE l.org_id = b.org_id), 0) AS sum,
			  (SELECT COUNT(*) FROM ledger_entries l WHERE l.org_id = b.org_id) AS n,
			  COALESCE((SELECT MAX(seq) FROM ledger_entries l WHERE l.org_id = b.org_id), 0) AS max_seq,
			  COALESCE((SELECT balance_after FROM ledger_entries l WHERE l.org_id = b.org_id ORDER BY seq DESC LIMIT 1), 0) AS last_after,
			  COALESCE((SELECT MIN(balance_after) FROM ledger_entries l WHERE l.org_id = b.org_id), 0) AS min_aft,
			  COALESCE((SELECT SUM(remaining) FROM grants g WHERE g.org_id = b.org_id), 0) AS held
			FROM org_balances b ORDER BY b.org_id`).Scan(&orgs).Error
		if err != nil {
			return err
		}
		if len(orgs) == 0 {
			problems = append(problems, "no org balances at all")
		}
		for _, o := range orgs {
			switch {
			case o.Total < 0 || o.MinAft < 0:
				problems = append(problems, fmt.Sprintf("org %s: balance %d, lowest balance after an entry %d: negative", o.OrgID, o.Total, o.MinAft))
			case o.Sum != o.Total:
				problems = append(problems, fmt.Sprintf("org %s: ledger sums to %d, balance is %d", o.OrgID, o.Sum, o.Total))
			case o.N != o.MaxSeq:
				problems = append(problems, fmt.Sprintf("org %s: %d ledger entries numbered up to %d", o.OrgID, o.N, o.MaxSeq))
			case o.N > 0 && o.LastAfter != o.Total:
				problems = append(problems, fmt.Sprintf("org %s: last entry leaves %d, balance is %d", o.OrgID, o.LastAfter, o.Total))
			case o.Held != o.Total:
				problems = append(problems, fmt.Sprintf("org %s: grants hold %d, balance is %d", o.OrgID, o.Held, o.Total))
			}
		}
		var orders []struct {
			ID, Number, Status string
			Credits            int64
			GrantID            *string
			Grants, Invoices   int64
			Granted            int64
		}
		err = tx.Raw(`SELECT o.id, o.number, o.status, o.credits, o.grant_id,
			  (SELECT COUNT(*) FROM grants g WHERE g.order_id = o.id) AS grants,
			  COALESCE((SELECT SUM(amount) FROM grants g WHERE g.order_id = o.id), 0) AS granted,
			  (SELECT COUNT(*) FROM invoices i WHERE i.order_id = o.id) AS invoices
			FROM orders o ORDER BY o.id`).Scan(&orders).Error
		if err != nil {
			return err
		}
		for _, o := range orders {
			paid := o.Status == "PAID" || o.Status == "REFUNDED" || o.Status == "PARTIALLY_REFUNDED"
			switch {
			case paid && (o.Grants != 1 || o.Granted != o.Credits || o.Invoices != 1):
				problems = append(problems, fmt.Sprintf("order %s is %s with %d grants of %d credits (want 1 of %d) and %d invoices (want 1)",
					o.Number, o.Status, o.Grants, o.Granted, o.Credits, o.Invoices))
			case paid && (o.GrantID == nil || *o.GrantID == ""):
				problems = append(problems, fmt.Sprintf("order %s is %s and names no grant", o.Number, o.Status))
			case !paid && (o.Grants != 0 || o.Invoices != 0):
				problems = append(problems, fmt.Sprintf("order %s is %s with %d grants and %d invoices (want none)", o.Number, o.Status, o.Grants, o.Invoices))
			}
		}
		return nil
	})
	for _, p := range problems {
		t.Errorf("store inconsistent: %s", p)
	}
	// The operator's own check, through the binary: every rule of
	// `tally audit` (grants, refunds, numbering, idempotency records too).
	t.Logf("tally audit: clean, checked %v", tallytest.AuditClean(t, dbURL))
}

// checkAcks compares what clients were told with the store: every
// acknowledged spend is in the ledger exactly once, for its amount, and
// no spend is there that no client was told about (a retry applied
// twice); every acknowledged order ended as its payment went, with no
// order besides them; each org's balance is its start, plus the credits
// of its paid orders, less its acknowledged spends. It returns the counts
// of lost acknowledged writes and of duplicates, each also an error.
func checkAcks(t *testing.T, dbURL string, l *load) (lost, duplicates int) {
	t.Helper()
	d := openStore(t, dbURL)
	var entries []struct {
		ID, OrgID string
		Amount    int64
	}
	var orders []struct{ ID, Status string }
	var balances []struct {
		OrgID string
		Total int64
	}
	snapshot(t, d, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT id, org_id, amount FROM ledger_entries WHERE kind = 'CONSUME'`).Scan(&entries).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT id, status FROM orders`).Scan(&orders).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT org_id, total FROM org_balances`).Scan(&balances).Error
	})
	inLedger := map[string]int64{}
	for _, e := range entries {
		inLedger[e.ID] = e.Amount
	}
	want := map[string]int64{} // org (local ID) -> expected balance
	for _, o := range l.w.orgs {
		want[mustLocal(t, o.id)] = startCredits
	}
	told := map[string]string{} // entry -> key that was told about it
	for _, a := range l.acks.spends {
		id, org := mustLocal(t, a.entry), mustLocal(t, a.org)
		want[org] -= a.amount
		if k, seen := told[id]; seen {
			duplicates++
			t.Errorf("spends %s and %s were both answered with entry %s", k, a.key, id)
			continue
		}
		told[id] = a.key
		amount, ok := inLedger[id]
		switch {
		case !ok:
			lost++
			t.Errorf("acknowledged spend %s (entry %s, %d credits, %d attempts) is not in the ledger", a.key, id, a.amount, a.attempts)
		case amount != -a.amount:
			lost++
			t.Errorf("acknowledged spend %s of %d credits is in the ledger as %d", a.key, a.amount, amount)
		}
	}
	for _, e := range entries {
		if _, ok := told[e.ID]; !ok {
			duplicates++
			t.Errorf("ledger entry %s spends %d credits of org %s, but no client was told of it (a retry applied twice?)", e.ID, -e.Amount, e.OrgID)
		}
	}
	status := map[string]string{}
	for _, o := range orders {
		status[o.ID] = o.Status
	}
	for _, a := range l.acks.orders {
		id := mustLocal(t, a.id)
		got, ok := status[id]
		delete(status, id)
		switch {
		case !ok:
			lost++
			t.Errorf("acknowledged order %s (key %s) is not in the store", id, a.key)
		case got != a.want:
			t.Errorf("order %s (key %s) is %s, want %s: not settled", id, a.key, got, a.want)
		}
		if got == "PAID" {
			want[mustLocal(t, a.org)] += a.credits
		}
	}
	for id, s := range status {
		duplicates++
		t.Errorf("order %s (%s) was made but no client was told of it", id, s)
	}
	for _, b := range balances {
		if w, ok := want[b.OrgID]; ok && b.Total != w {
			t.Errorf("org %s: balance %d, want %d from what clients were told", b.OrgID, b.Total, w)
		}
	}
	return lost, duplicates
}

// mustLocal is localID for IDs the server gave.
func mustLocal(t *testing.T, global string) string {
	t.Helper()
	id, err := localID(global)
	if err != nil {
		t.Fatalf("global ID %q: %v", global, err)
	}
	return id
}
