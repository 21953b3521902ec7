package db_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// spend builds the LedgerWrite of a CONSUME of amount from g (which must
// cover it) on top of b, with an optional idempotency record.
func spend(b domain.Balance, g domain.Grant, amount int64, actorID string, key string, at time.Time) (domain.LedgerWrite, domain.Grant) {
	g.Remaining -= amount
	b.Total -= amount
	if g.Kind.Paid() {
		b.Paid -= amount
	} else {
		b.Free -= amount
	}
	b.Version++
	b.UpdatedAt = at
	w := domain.LedgerWrite{
		Balance: b,
		Grants:  []domain.Grant{g},
		Entries: []domain.LedgerEntry{{
			ID: newID(), OrgID: b.OrgID, Seq: b.Version, Kind: domain.EntryConsume, Amount: -amount, BalanceAfter: b.Total,
			Allocations: []domain.Allocation{{GrantID: g.ID, Amount: -amount}}, Reason: "use",
			Metadata: json.RawMessage(`{"model":"x","tokens":12}`), ActorKind: domain.ActorUser, ActorID: actorID, CreatedAt: at,
		}},
	}
	if key != "" {
		w.Idempotency = []domain.IdempotencyRecord{{
			OrgID: b.OrgID, Key: key, Operation: "consumeCredits", RequestHash: "rh", Response: []byte(`{"ok":true}`), CreatedAt: at,
		}}
	}
	return w, g
}

func TestWriteLedgerAndReads(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		exp := t0.Add(24 * time.Hour)
		free := grantCredits(t, d, o.ID, domain.GrantFree, 100, &exp)
		paid := grantCredits(t, d, o.ID, domain.GrantPurchased, 1000, nil)

		b, rec, err := d.LockBalance(ctx(), o.ID, "k1")
		must(t, err)
		if len(rec) != 0 {
			t.Fatalf("idempotency record before use = %+v", rec)
		}
		want := domain.Balance{OrgID: o.ID, Total: 1100, Free: 100, Paid: 1000, Version: 2, UpdatedAt: t0, OrgStatus: domain.OrgActive}
		if !reflect.DeepEqual(b, want) {
			t.Fatalf("LockBalance = %+v, want %+v", b, want)
		}

		// One consume touching two grants in one write.
		at := t0.Add(time.Hour)
		free.Remaining, paid.Remaining = 0, 950
		b2 := domain.Balance{OrgID: o.ID, Total: 950, Free: 0, Paid: 950, Version: 3, UpdatedAt: at}
		entry := domain.LedgerEntry{
			ID: newID(), OrgID: o.ID, Seq: 3, Kind: domain.EntryConsume, Amount: -150, BalanceAfter: 950,
			Allocations: []domain.Allocation{{GrantID: free.ID, Amount: -100}, {GrantID: paid.ID, Amount: -50}},
			Reason:      "run", Metadata: json.RawMessage(`{"a":1}`), ActorKind: domain.ActorAPIKey, ActorID: "key-1", CreatedAt: at,
		}
		idem := domain.IdempotencyRecord{OrgID: o.ID, Key: "k1", Operation: "consumeCredits", RequestHash: "h", Response: []byte(`{"x":1}`), CreatedAt: at}
		must(t, d.InTx(ctx(), func(tx domain.Store) error {
			if _, _, err := tx.LockBalance(ctx(), o.ID, "k1"); err != nil {
				return err
			}
			return tx.WriteLedger(ctx(), domain.LedgerWrite{
				Balance: b2, Grants: []domain.Grant{free, paid}, Entries: []domain.LedgerEntry{entry}, Idempotency: []domain.IdempotencyRecord{idem},
			})
		}))

		b, rec, err = d.LockBalance(ctx(), o.ID, "k1")
		must(t, err)
		b2.OrgStatus = domain.OrgActive
		if !reflect.DeepEqual(b, b2) {
			t.Fatalf("balance after write = %+v, want %+v", b, b2)
		}
		if len(rec) != 1 || !reflect.DeepEqual(rec[0], idem) {
			t.Fatalf("LockBalance record = %+v, want %+v", rec, idem)
		}
		if _, rec, _ := d.LockBalance(ctx(), o.ID, ""); len(rec) != 0 {
			t.Fatalf("LockBalance without key returned %+v", rec)
		}
		found, ok, err := d.FindIdempotency(ctx(), o.ID, "k1")
		must(t, err)
		if !ok || !reflect.DeepEqual(found, idem) {
			t.Fatalf("FindIdempotency = %+v %v", found, ok)
		}
		if _, ok, err := d.FindIdempotency(ctx(), o.ID, "nope"); ok || err != nil {
			t.Fatalf("FindIdempotency(missing) = %v, %v", ok, err)
		}

		open, err := d.OpenGrants(ctx(), o.ID)
		must(t, err)
		if len(open) != 1 || !reflect.DeepEqual(open[0], paid) {
			t.Fatalf("OpenGrants = %+v, want only %+v", open, paid)
		}
		gs, err := d.GrantsByIDs(ctx(), []string{free.ID, paid.ID, newID()})
		must(t, err)
		sort.Slice(gs, func(i, j int) bool { return gs[i].ID < gs[j].ID })
		wantGs := []domain.Grant{free, paid}
		sort.Slice(wantGs, func(i, j int) bool { return wantGs[i].ID < wantGs[j].ID })
		if !reflect.DeepEqual(gs, wantGs) {
			t.Fatalf("GrantsByIDs = %+v, want %+v", gs, wantGs)
		}

		got, err := d.LedgerEntryByID(ctx(), entry.ID)
		must(t, err)
		if !reflect.DeepEqual(got, entry) {
			t.Fatalf("LedgerEntryByID = %+v, want %+v", got, entry)
		}
		got, err = d.LedgerEntryBySeq(ctx(), o.ID, 3)
		must(t, err)
		if got.ID != entry.ID {
			t.Fatalf("LedgerEntryBySeq = %+v", got)
		}
		sum, err := d.SumLedger(ctx(), o.ID)
		must(t, err)
		if sum != b.Total {
			t.Fatalf("SumLedger = %d, want balance %d", sum, b.Total)
		}

		tests := []struct {
			name string
			err  error
			want domain.Code
		}{
			{"entry by id missing", func() error { _, err := d.LedgerEntryByID(ctx(), newID()); return err }(), domain.CodeNotFound},
			{"entry by seq missing", func() error { _, err := d.LedgerEntryBySeq(ctx(), o.ID, 99); return err }(), domain.CodeNotFound},
			{"lock unknown org", func() error { _, _, err := d.LockBalance(ctx(), newID(), "k"); return err }(), domain.CodeNotFound},
			{"write unknown org", d.WriteLedger(ctx(), domain.LedgerWrite{Balance: domain.Balance{OrgID: newID(), UpdatedAt: at}}), domain.CodeNotFound},
			// The same seq again: another writer got there first.
			{"duplicate seq", func() error {
				w, _ := spend(b, paid, 1, "", "", at)
				w.Entries[0].Seq = 3
				return d.WriteLedger(ctx(), w)
			}(), domain.CodeConflict},
			{"duplicate idempotency key", func() error {
				w, _ := spend(b, paid, 1, "", "k1", at)
				return d.WriteLedger(ctx(), w)
			}(), domain.CodeConflict},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.err, tc.want)
				var de *domain.Error
				if errors.As(tc.err, &de) && de.Field != "" {
					t.Fatalf("store error has Field %q; the domain retries only field-less conflicts", de.Field)
				}
			})
		}
		// The failed writes changed nothing.
		after, err := d.GetBalance(ctx(), o.ID)
		must(t, err)
		if !reflect.DeepEqual(after, b2) {
			t.Fatalf("balance after failed writes = %+v, want %+v", after, b2)
		}
	})
}

func TestCheckConstraintsProtectMoney(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		g := grantCredits(t, d, o.ID, domain.GrantPurchased, 10, nil)
		b, err := d.GetBalance(ctx(), o.ID)
		must(t, err)

		tests := []struct {
			name  string
			write func() domain.LedgerWrite
		}{
			{"negative balance", func() domain.LedgerWrite {
				w, _ := spend(b, g, 5, "", "", t0)
				w.Balance.Total, w.Balance.Paid = -1, -1
				w.Grants = nil
				return w
			}},
			{"negative remaining", func() domain.LedgerWrite {
				w, _ := spend(b, g, 11, "", "", t0) // 11 > 10
				return w
			}},
			{"remaining above amount", func() domain.LedgerWrite {
				w, _ := spend(b, g, 5, "", "", t0)
				w.Grants[0].Remaining = 11
				return w
			}},
			{"free and paid do not add up", func() domain.LedgerWrite {
				w, _ := spend(b, g, 5, "", "", t0)
				w.Balance.Free = 3
				return w
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := d.InTx(ctx(), func(tx domain.Store) error {
					if _, _, err := tx.LockBalance(ctx(), o.ID, ""); err != nil {
						return err
					}
					return tx.WriteLedger(ctx(), tc.write())
				})
				wantCode(t, err, domain.CodeInternal)
				after, err := d.GetBalance(ctx(), o.ID)
				must(t, err)
				if !reflect.DeepEqual(after, b) {
					t.Fatalf("balance changed by a refused write: %+v, want %+v", after, b)
				}
				open, err := d.OpenGrants(ctx(), o.ID)
				must(t, err)
				if len(open) != 1 || open[0].Remaining != 10 {
					t.Fatalf("grants changed by a refused write: %+v", open)
				}
			})
		}
	})
}

func TestListLedgerPagingAndSums(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		g := grantCredits(t, d, o.ID, domain.GrantPurchased, 1000, nil) // seq 1
		// seq 2..6: consumes of 1..5 by alice (even seq) and bob (odd seq),
		// an hour apart.
		for i := int64(1); i <= 5; i++ {
			b, _, err := d.LockBalance(ctx(), o.ID, "")
			must(t, err)
			actor := "alice"
			if i%2 == 0 {
				actor = "bob"
			}
			var w domain.LedgerWrite
			w, g = spend(b, g, i, actor, "", t0.Add(time.Duration(i)*time.Hour))
			must(t, d.WriteLedger(ctx(), w))
		}

		tests := []struct {
			name    string
			filter  domain.LedgerFilter
			first   int
			wantSeq []int64
			pages   int
		}{
			{"all in pages of 4", domain.LedgerFilter{}, 4, []int64{6, 5, 4, 3, 2, 1}, 2},
			{"all default page", domain.LedgerFilter{}, 0, []int64{6, 5, 4, 3, 2, 1}, 1},
			{"alice in pages of 1", domain.LedgerFilter{ActorID: "alice"}, 1, []int64{6, 4, 2}, 3},
			{"nobody", domain.LedgerFilter{ActorID: "carol"}, 2, nil, 1},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var got []int64
				after := ""
				for p := 0; p < tc.pages; p++ {
					c, err := d.ListLedger(ctx(), o.ID, tc.filter, domain.Page{First: tc.first, After: after})
					must(t, err)
					if c.HasNextPage != (p < tc.pages-1) {
						t.Fatalf("page %d HasNextPage = %v", p, c.HasNextPage)
					}
					for _, e := range c.Edges {
						got = append(got, e.Node.Seq)
					}
					after = c.EndCursor()
				}
				if !reflect.DeepEqual(got, tc.wantSeq) {
					t.Fatalf("seqs = %v, want %v", got, tc.wantSeq)
				}
			})
		}
		for _, bad := range []string{"%%%", "bDF8MA", "bDF8LTE", "bTF8eA"} { // junk, "l1|0", "l1|-1", "m1|x"
			_, err := d.ListLedger(ctx(), o.ID, domain.LedgerFilter{}, domain.Page{After: bad})
			wantCode(t, err, domain.CodeInvalidInput)
		}

		sums := []struct {
			name     string
			actor    string
			from, to time.Time
			want     int64
		}{
			{"whole org", "", t0, t0.Add(24 * time.Hour), 15},
			{"alice", "alice", t0, t0.Add(24 * time.Hour), 1 + 3 + 5},
			{"bob", "bob", t0, t0.Add(24 * time.Hour), 2 + 4},
			{"half-open window", "", t0.Add(2 * time.Hour), t0.Add(4 * time.Hour), 2 + 3},
			{"empty window", "", t0.Add(48 * time.Hour), t0.Add(72 * time.Hour), 0},
		}
		for _, tc := range sums {
			t.Run("SumConsumed "+tc.name, func(t *testing.T) {
				got, err := d.SumConsumed(ctx(), o.ID, tc.actor, tc.from, tc.to)
				must(t, err)
				if got != tc.want {
					t.Fatalf("SumConsumed = %d, want %d", got, tc.want)
				}
			})
		}
		sum, err := d.SumLedger(ctx(), o.ID)
		must(t, err)
		if sum != 1000-15 {
			t.Fatalf("SumLedger = %d, want %d", sum, 1000-15)
		}
	})
}

func TestOrgsWithExpiredGrants(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		past, future := t0.Add(-time.Hour), t0.Add(time.Hour)
		expired1, expired2, fresh, spent := mkOrg(t, d), mkOrg(t, d), mkOrg(t, d), mkOrg(t, d)
		grantCredits(t, d, expired1.ID, domain.GrantFree, 5, &past)
		grantCredits(t, d, expired1.ID, domain.GrantPromo, 5, &past)
		grantCredits(t, d, expired2.ID, domain.GrantFree, 5, &t0) // expires exactly now
		grantCredits(t, d, fresh.ID, domain.GrantFree, 5, &future)
		grantCredits(t, d, fresh.ID, domain.GrantPurchased, 5, nil)
		g := grantCredits(t, d, spent.ID, domain.GrantFree, 5, &past)
		b, err := d.GetBalance(ctx(), spent.ID)
		must(t, err)
		w, _ := spend(b, g, 5, "", "", t0)
		must(t, d.WriteLedger(ctx(), w))

		tests := []struct {
			limit int
			want  int
		}{{10, 2}, {1, 1}, {0, 0}}
		for _, tc := range tests {
			got, err := d.OrgsWithExpiredGrants(ctx(), t0, tc.limit)
			must(t, err)
			if len(got) != tc.want {
				t.Fatalf("OrgsWithExpiredGrants(limit %d) = %v, want %d orgs", tc.limit, got, tc.want)
			}
			for _, id := range got {
				if id != expired1.ID && id != expired2.ID {
					t.Fatalf("OrgsWithExpiredGrants returned %s", id)
				}
			}
		}
	})
}

// TestWriteLedgerEverythingAtOnce writes new and touched grants, several
// entries and an idempotency record in one call (an expiry written off
// while a new grant lands).
func TestWriteLedgerEverythingAtOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		past := t0.Add(-time.Minute)
		old := grantCredits(t, d, o.ID, domain.GrantPromo, 40, &past)
		other := grantCredits(t, d, o.ID, domain.GrantPurchased, 60, nil)
		at := t0.Add(time.Hour)
		fresh := domain.Grant{ID: newID(), OrgID: o.ID, Kind: domain.GrantSubscription, Amount: 500, Remaining: 500, OrderID: "order-1", Reason: "plan", CreatedAt: at}
		old.Remaining = 0
		other.Remaining = 50
		w := domain.LedgerWrite{
			Balance:   domain.Balance{OrgID: o.ID, Total: 550, Free: 0, Paid: 550, Version: 5, UpdatedAt: at},
			NewGrants: []domain.Grant{fresh},
			Grants:    []domain.Grant{old, other},
			Entries: []domain.LedgerEntry{
				{ID: newID(), OrgID: o.ID, Seq: 3, Kind: domain.EntryExpire, Amount: -40, BalanceAfter: 60,
					Allocations: []domain.Allocation{{GrantID: old.ID, Amount: -40}}, ActorKind: domain.ActorSystem, CreatedAt: at},
				{ID: newID(), OrgID: o.ID, Seq: 4, Kind: domain.EntryConsume, Amount: -10, BalanceAfter: 50,
					Allocations: []domain.Allocation{{GrantID: other.ID, Amount: -10}}, ActorKind: domain.ActorUser, ActorID: "u", CreatedAt: at},
				{ID: newID(), OrgID: o.ID, Seq: 5, Kind: domain.EntryGrant, Amount: 500, BalanceAfter: 550,
					Allocations: []domain.Allocation{{GrantID: fresh.ID, Amount: 500}}, ActorKind: domain.ActorSystem, CreatedAt: at},
			},
			Idempotency: []domain.IdempotencyRecord{
				{OrgID: o.ID, Key: "all", Operation: "op", RequestHash: "h", Response: []byte("{}"), CreatedAt: at},
				{OrgID: o.ID, Key: "all-2", Operation: "op", RequestHash: "h2", Response: []byte("{}"), CreatedAt: at},
			},
		}
		must(t, d.InTx(ctx(), func(tx domain.Store) error { return tx.WriteLedger(ctx(), w) }))

		open, err := d.OpenGrants(ctx(), o.ID)
		must(t, err)
		sort.Slice(open, func(i, j int) bool { return open[i].Amount < open[j].Amount })
		if want := []domain.Grant{other, fresh}; !reflect.DeepEqual(open, want) {
			t.Fatalf("OpenGrants = %+v, want %+v", open, want)
		}
		c, err := d.ListLedger(ctx(), o.ID, domain.LedgerFilter{}, domain.Page{})
		must(t, err)
		for i, e := range c.Edges {
			if wantSeq := int64(5 - i); e.Node.Seq != wantSeq {
				t.Fatalf("entry %d has seq %d, want %d", i, e.Node.Seq, wantSeq)
			}
		}
		if got := c.Edges[0].Node; !reflect.DeepEqual(got, w.Entries[2]) {
			t.Fatalf("newest entry = %+v, want %+v", got, w.Entries[2])
		}
		sum, err := d.SumLedger(ctx(), o.ID)
		must(t, err)
		if sum != 550 {
			t.Fatalf("SumLedger = %d, want 550", sum)
		}
		_, recs, err := d.LockBalance(ctx(), o.ID, "all", "all-2", "missing")
		must(t, err)
		if len(recs) != 2 {
			t.Fatalf("LockBalance found %d of the 2 idempotency records written in one go", len(recs))
		}
	})
}
