package db_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestLockBalancesAndWriteLedgers writes spends of two orgs in one
// transaction: LockBalances returns the orgs that exist in org id order,
// their open grants and only the key records asked for; WriteLedgers
// writes every org's change as one unit, and refuses as a whole a change
// of an org without a balance or an entry that exists.
func TestLockBalancesAndWriteLedgers(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o1, o2 := mkOrg(t, d), mkOrg(t, d)
		exp := t0.Add(24 * time.Hour)
		g1 := grantCredits(t, d, o1.ID, domain.GrantPurchased, 100, nil)
		g2 := grantCredits(t, d, o2.ID, domain.GrantFree, 50, &exp)
		unknown := newID()
		at := t0.Add(time.Hour)

		var ws []domain.LedgerWrite
		must(t, d.InTx(ctx(), func(tx domain.Store) error {
			g, err := tx.LockBalances(ctx(), []string{o2.ID, unknown, o1.ID, o1.ID},
				[]domain.IdemRef{{OrgID: o1.ID, Key: "k1"}, {OrgID: o2.ID, Key: "k1"}, {OrgID: o1.ID}})
			if err != nil {
				return err
			}
			ids := []string{o1.ID, o2.ID}
			sort.Strings(ids)
			if len(g.Balances) != 2 || g.Balances[0].OrgID != ids[0] || g.Balances[1].OrgID != ids[1] {
				t.Fatalf("LockBalances balances = %+v, want %v in order", g.Balances, ids)
			}
			if len(g.Grants) != 2 || len(g.Idempotency) != 0 {
				t.Fatalf("LockBalances grants %+v, records %+v; want 2 grants, no records", g.Grants, g.Idempotency)
			}
			for _, b := range g.Balances {
				if b.OrgStatus != domain.OrgActive || b.Version != 1 {
					t.Fatalf("balance %+v, want ACTIVE at version 1", b)
				}
				gr := g1
				if b.OrgID == o2.ID {
					gr = g2
				}
				w, _ := spend(b, gr, 10, "u", "k1", at)
				ws = append(ws, w)
			}
			return tx.WriteLedgers(ctx(), ws)
		}))
		for _, w := range ws {
			b, err := d.GetBalance(ctx(), w.Balance.OrgID)
			must(t, err)
			sum, err := d.SumLedger(ctx(), w.Balance.OrgID)
			must(t, err)
			if b.Total != w.Balance.Total || b.Version != 2 || sum != b.Total {
				t.Fatalf("org %s: balance %+v, ledger sum %d; want %d at version 2", w.Balance.OrgID, b, sum, w.Balance.Total)
			}
			e, err := d.LedgerEntryByID(ctx(), w.Entries[0].ID)
			must(t, err)
			if want := w.Entries[0]; !reflect.DeepEqual(e, want) {
				t.Fatalf("entry = %+v, want %+v", e, want)
			}
			gs, err := d.OpenGrants(ctx(), w.Balance.OrgID)
			must(t, err)
			if len(gs) != 1 || gs[0].Remaining != w.Grants[0].Remaining {
				t.Fatalf("open grants %+v, want remaining %d", gs, w.Grants[0].Remaining)
			}
			rec, ok, err := d.FindIdempotency(ctx(), w.Balance.OrgID, "k1")
			must(t, err)
			if !ok || !reflect.DeepEqual(rec, w.Idempotency[0]) {
				t.Fatalf("record = %+v %v, want %+v", rec, ok, w.Idempotency[0])
			}
		}

		// Only the (org, key) pairs asked for: o2's k1 exists but is not asked.
		must(t, d.InTx(ctx(), func(tx domain.Store) error {
			g, err := tx.LockBalances(ctx(), []string{o1.ID, o2.ID}, []domain.IdemRef{{OrgID: o1.ID, Key: "k1"}, {OrgID: o2.ID, Key: "other"}})
			if err != nil {
				return err
			}
			if len(g.Idempotency) != 1 || g.Idempotency[0].OrgID != o1.ID || g.Idempotency[0].Key != "k1" {
				t.Fatalf("records = %+v, want o1's k1 only", g.Idempotency)
			}
			// Both records when both pairs are asked (a key asked twice
			// once), none for a pair that mixes one org's key with the
			// other org.
			g, err = tx.LockBalances(ctx(), []string{o1.ID, o2.ID}, []domain.IdemRef{
				{OrgID: o2.ID, Key: "k1"}, {OrgID: o1.ID, Key: "k1"}, {OrgID: o2.ID, Key: "k1"}, {OrgID: o1.ID, Key: "nope"},
			})
			if err != nil {
				return err
			}
			got := map[domain.IdemRef]int{}
			for _, r := range g.Idempotency {
				got[domain.IdemRef{OrgID: r.OrgID, Key: r.Key}]++
			}
			if want := map[domain.IdemRef]int{{OrgID: o1.ID, Key: "k1"}: 1, {OrgID: o2.ID, Key: "k1"}: 1}; !reflect.DeepEqual(got, want) {
				t.Fatalf("records = %v, want %v", got, want)
			}
			return nil
		}))

		// A change of an org without a balance row fails the whole write (a
		// statement error on PostgreSQL, so that the COMMIT sent with it rolls
		// back).
		next, _ := spend(ws[0].Balance, ws[0].Grants[0], 1, "u", "", at)
		err := d.InTx(ctx(), func(tx domain.Store) error {
			if _, err := tx.LockBalances(ctx(), []string{o1.ID, o2.ID}, nil); err != nil {
				return err
			}
			return tx.WriteLedgers(ctx(), []domain.LedgerWrite{next, {Balance: domain.Balance{OrgID: unknown, UpdatedAt: at}}})
		})
		if err == nil {
			t.Fatal("a write of an org without a balance row succeeded")
		}
		// An entry that exists fails it too.
		err = d.InTx(ctx(), func(tx domain.Store) error {
			if _, err := tx.LockBalances(ctx(), []string{o1.ID, o2.ID}, nil); err != nil {
				return err
			}
			return tx.WriteLedgers(ctx(), []domain.LedgerWrite{next, {Balance: ws[1].Balance, Entries: ws[1].Entries}})
		})
		wantCode(t, err, domain.CodeConflict)
		b, err := d.GetBalance(ctx(), next.Balance.OrgID)
		must(t, err)
		if b.Version != 2 {
			t.Fatalf("balance after refused writes at version %d, want 2", b.Version)
		}
	})
}

// TestWriteLedgersOptionalColumns: the optional columns of a group write
// (a grant's order, an entry's metadata and actor) are stored as NULL when
// empty and read back as written, and entries whose allocations or reason
// JSON would escape keep them.
func TestWriteLedgersOptionalColumns(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		at := t0.Add(time.Hour)
		exp := at.Add(48 * time.Hour)
		var w domain.LedgerWrite
		must(t, d.InTx(ctx(), func(tx domain.Store) error {
			g, err := tx.LockBalances(ctx(), []string{o.ID}, nil)
			if err != nil {
				return err
			}
			b := g.Balances[0]
			b.Grants = nil
			w.NewGrants = []domain.Grant{
				{ID: newID(), OrgID: o.ID, Kind: domain.GrantPurchased, Amount: 30, Remaining: 30, OrderID: "order-1", Reason: "bought", CreatedAt: at},
				{ID: `odd"<id>`, OrgID: o.ID, Kind: domain.GrantFree, Amount: 20, Remaining: 20, ExpiresAt: &exp, CreatedAt: at},
			}
			for i, e := range []domain.LedgerEntry{
				{Kind: domain.EntryGrant, Amount: 30, Allocations: []domain.Allocation{{GrantID: w.NewGrants[0].ID, Amount: 30}}, ActorKind: domain.ActorSystem},
				{Kind: domain.EntryGrant, Amount: 20, Allocations: []domain.Allocation{{GrantID: w.NewGrants[1].ID, Amount: 20}}, Reason: "café <b>",
					Metadata: json.RawMessage(`{"a":1}`), ActorKind: domain.ActorUser, ActorID: "u"},
				{Kind: domain.EntryAdjust, Amount: 0, Allocations: []domain.Allocation{}, ActorKind: domain.ActorSystem},
			} {
				b.Total += e.Amount
				b.Version++
				e.ID, e.OrgID, e.Seq, e.BalanceAfter, e.CreatedAt = newID(), o.ID, b.Version, b.Total, at
				if i < 2 {
					if e.Kind == domain.EntryGrant && i == 0 {
						b.Paid += e.Amount
					} else {
						b.Free += e.Amount
					}
				}
				w.Entries = append(w.Entries, e)
			}
			b.UpdatedAt = at
			w.Balance = b
			return tx.WriteLedgers(ctx(), []domain.LedgerWrite{w})
		}))
		for i, want := range w.Entries {
			got, err := d.LedgerEntryByID(ctx(), want.ID)
			must(t, err)
			if i == 2 {
				want.Allocations = nil // an empty list reads back as none
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("entry %d = %+v, want %+v", i, got, want)
			}
		}
		gs, err := d.GrantsByIDs(ctx(), []string{w.NewGrants[0].ID, w.NewGrants[1].ID})
		must(t, err)
		sort.Slice(gs, func(i, j int) bool { return gs[i].Amount > gs[j].Amount })
		if len(gs) != 2 || !reflect.DeepEqual(gs, w.NewGrants) {
			t.Fatalf("grants = %+v, want %+v", gs, w.NewGrants)
		}
		var nulls int64
		must(t, d.Gorm().Raw(`SELECT (SELECT count(*) FROM ledger_entries WHERE org_id = ? AND metadata IS NULL AND actor_id IS NULL)
			+ (SELECT count(*) FROM grants WHERE org_id = ? AND order_id IS NULL)`, o.ID, o.ID).Scan(&nulls).Error)
		if nulls != 2+1 { // entries 0 and 2, the second grant
			t.Fatalf("%d NULL optional columns, want 3", nulls)
		}
	})
}

func TestPositionalPlaceholders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"UPDATE t SET a = $1, b = $2 WHERE c IN ($3, $4)", "UPDATE t SET a = ?, b = ? WHERE c IN (?, ?)"},
		{"SELECT $2, $1", "SELECT $2, $1"},           // out of order: left alone
		{"SELECT $1 WHERE $1", "SELECT $1 WHERE $1"}, // repeated: left alone
		{"SELECT $10", "SELECT $10"},
	} {
		if got := db.Positional(db.DialectSQLite, c.in); got != c.want {
			t.Errorf("positional(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := db.Positional(db.DialectPostgres, c.in); got != c.in {
			t.Errorf("on PostgreSQL positional(%q) = %q, want it unchanged", c.in, got)
		}
	}
}
