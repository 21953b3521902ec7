package domain_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// unknownOrg has the form of an org id but names no org.
const unknownOrg = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

// TestGroupCommitAcrossOrgs queues spends of several orgs behind one in
// flight and checks that they commit in one transaction, each with its own
// answer: an org short of credit, a reused key, a suspended org, a closed
// org and an unknown org fail alone while the others commit; a key repeated
// in the batch and a key recorded earlier replay their first results.
func TestGroupCommitAcrossOrgs(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		gs := &gatedStore{Store: d, entered: make(chan struct{}), release: make(chan struct{})}
		f := newFixtureStore(t, gs, domain.Config{SignupGrantDisabled: true, SpendLanes: 1})
		newOrg := func(name string, credits int64) string {
			o, err := f.svc.CreateOrg(f.owner, domain.CreateOrgInput{Name: name, Country: "DE", Currency: domain.EUR})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.GrantCredits(f.admin, domain.GrantInput{OrgID: o.ID, Amount: credits, Kind: domain.GrantPurchased, IdempotencyKey: "seed"}); err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		f.grant(t, domain.GrantPurchased, 10, 0, "seed")
		var (
			a         = f.org.ID
			b         = newOrg("B", 10)
			reused    = newOrg("Reused", 10)
			suspended = newOrg("Suspended", 10)
			closed    = newOrg("Closed", 10)
			short     = newOrg("Short", 5)
		)
		earlier, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: reused, Amount: 1, IdempotencyKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		for id, status := range map[string]domain.OrgStatus{suspended: domain.OrgSuspended, closed: domain.OrgClosed} {
			if err := d.Gorm().Exec("UPDATE orgs SET status = ? WHERE id = ?", string(status), id).Error; err != nil {
				t.Fatal(err)
			}
		}
		// An API key of an org that does not exist (deleted meanwhile)
		// passes authorization, which does not read the org.
		ghost := domain.WithActor(context.Background(), domain.Actor{APIKeyID: "key", APIKeyOrgID: unknownOrg})

		type call struct {
			ctx    context.Context
			org    string
			amount int64
			key    string
			want   domain.Code
		}
		calls := []call{
			{f.owner, a, 1, "lead", ""}, // leads alone, held in its transaction
			{f.owner, b, 3, "b1", ""},
			{f.owner, reused, 2, "k", domain.CodeConflict},
			{f.owner, suspended, 1, "s", domain.CodeOrgSuspended},
			{f.owner, short, 6, "x", domain.CodeInsufficientCredits},
			{ghost, unknownOrg, 1, "u", domain.CodeNotFound},
			{f.owner, a, 2, "a2", ""},
			{f.owner, closed, 1, "c", domain.CodeOrgSuspended},
			{f.owner, b, 3, "b1", ""}, // repeated in the batch: the first result
			{f.owner, reused, 1, "k", ""},
			{f.owner, short, 5, "y", ""},
		}
		type outcome struct {
			res domain.CreditResult
			err error
		}
		done := make([]chan outcome, len(calls))
		orgs := make([]string, len(calls))
		for i, c := range calls {
			done[i] = make(chan outcome, 1)
			orgs[i] = c.org
		}
		gs.armed.Store(true)
		before := gs.txs.Load()
		queueBehindLeader(f.svc, gs, orgs, func(i int) {
			c := calls[i]
			res, err := f.svc.Consume(c.ctx, domain.ConsumeInput{OrgID: c.org, Amount: c.amount, IdempotencyKey: c.key})
			done[i] <- outcome{res, err}
		})
		close(gs.release)
		got := make([]outcome, len(calls))
		for i := range calls {
			got[i] = <-done[i]
			if c := codeOf(got[i].err); c != calls[i].want {
				t.Errorf("spend %d (org %s, %d, key %q): code %q, want %q (%v)", i, calls[i].org, calls[i].amount, calls[i].key, c, calls[i].want, got[i].err)
			}
		}
		if n := gs.txs.Load() - before; n != 2 {
			t.Errorf("%d transactions for %d spends, want 2 (the leader, then the queue of every org together)", n, len(calls))
		}
		if !reflect.DeepEqual(got[8].res, got[1].res) {
			t.Errorf("a key repeated in the batch returned %+v, want the first result %+v", got[8].res, got[1].res)
		}
		if got[9].res.Entry.ID != earlier.Entry.ID {
			t.Errorf("a key recorded earlier replayed entry %s, want %s", got[9].res.Entry.ID, earlier.Entry.ID)
		}
		if got[6].res.Balance.Total != 7 || got[1].res.Balance.Total != 7 || got[10].res.Balance.Total != 0 {
			t.Errorf("balances after the spends: %d, %d, %d; want 7, 7, 0",
				got[6].res.Balance.Total, got[1].res.Balance.Total, got[10].res.Balance.Total)
		}
		ctx := context.Background()
		for id, want := range map[string]int64{a: 7, b: 7, reused: 9, suspended: 10, closed: 10, short: 0} {
			bal, err := d.GetBalance(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := d.SumLedger(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if bal.Total != want || sum != want {
				t.Errorf("org %s: balance %d, ledger sum %d; want %d", id, bal.Total, sum, want)
			}
		}
		// The recorded keys answer retries from another transaction.
		res, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: b, Amount: 3, IdempotencyKey: "b1"})
		if err != nil || res.Entry.ID != got[1].res.Entry.ID {
			t.Errorf("retrying b1: %+v, %v; want entry %s", res.Entry, err, got[1].res.Entry.ID)
		}
	})
}

// TestGroupCommitHammer spends from many goroutines on two services (two
// instances) over one database, across several orgs and one hot org, some
// requests retried with their key: no balance goes negative, no update is
// lost, every ledger sums to its balance, and no transaction deadlocks.
func TestGroupCommitHammer(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		// Each instance has a pool of its own on the same database.
		u := dbtest.PostgresURL(t)
		var ds [2]*db.DB
		for i := range ds {
			d, err := db.Open(context.Background(), u, db.Options{MaxOpenConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			ds[i] = d
		}
		hammerGroups(t, ds[0], ds[1])
	})
	t.Run("sqlite", func(t *testing.T) {
		d := dbtest.SQLite(t)
		hammerGroups(t, d, d)
	})
}

func hammerGroups(t *testing.T, d, d2 *db.DB) {
	cfg := domain.Config{SignupGrantDisabled: true, SpendBatch: 16}
	f := newFixture(t, d, cfg)
	// The second instance spreads its orgs over three lanes.
	cfg2 := cfg
	cfg2.SpendLanes = 3
	svcs := []*domain.Service{f.svc, domain.NewService(d2, cfg2)}
	const (
		orgs    = 6
		credits = 150
		workers = 24
		spends  = 30
	)
	ids := []string{f.org.ID}
	f.grant(t, domain.GrantPurchased, credits, 0, "seed")
	for i := 1; i < orgs; i++ {
		o, err := f.svc.CreateOrg(f.owner, domain.CreateOrgInput{Name: fmt.Sprint("Org", i), Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GrantCredits(f.admin, domain.GrantInput{OrgID: o.ID, Amount: credits, Kind: domain.GrantFree, IdempotencyKey: "seed"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	var (
		mu    sync.Mutex
		spent = map[string]int64{}
		wg    sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range spends {
				org := ids[0] // half the spends hit the hot org
				if r.IntN(2) == 0 {
					org = ids[r.IntN(orgs)]
				}
				amount := int64(1 + r.IntN(3))
				key := fmt.Sprintf("w%d-%d", w, i)
				in := domain.ConsumeInput{OrgID: org, Amount: amount, IdempotencyKey: key}
				res, err := svcs[r.IntN(2)].Consume(f.owner, in)
				switch domain.ErrorCode(err) {
				case "":
					if res.Balance.Total < 0 {
						t.Errorf("balance %d after a spend", res.Balance.Total)
					}
					mu.Lock()
					spent[org] += amount
					mu.Unlock()
					// A retry on the other instance replays the spend.
					again, err := svcs[r.IntN(2)].Consume(f.owner, in)
					if err != nil || again.Entry.ID != res.Entry.ID {
						t.Errorf("retry of %s: %+v, %v; want entry %s", key, again.Entry, err, res.Entry.ID)
					}
				case domain.CodeInsufficientCredits:
				default:
					t.Errorf("spend %s: %v", key, err)
				}
			}
		}()
	}
	wg.Wait()
	ctx := context.Background()
	for _, id := range ids {
		bal, err := d.GetBalance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := d.SumLedger(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := credits - spent[id]; bal.Total != want || sum != want {
			t.Errorf("org %s: balance %d, ledger sum %d; want %d (%d spent)", id, bal.Total, sum, want, spent[id])
		}
	}
}

// failGroupStore is gatedStore whose transactions fail the first write of
// several orgs' changes at once, as a database that loses the group's
// transaction would.
type failGroupStore struct {
	*gatedStore
	failed atomic.Bool
}

func (s *failGroupStore) InTx(ctx context.Context, fn func(domain.Store) error) error {
	return s.gatedStore.InTx(ctx, func(tx domain.Store) error {
		return fn(&failGroupTx{Store: tx, s: s})
	})
}

type failGroupTx struct {
	domain.Store
	s *failGroupStore
}

func (t *failGroupTx) WriteLedgers(ctx context.Context, ws []domain.LedgerWrite) error {
	if len(ws) > 1 && t.s.failed.CompareAndSwap(false, true) {
		return errors.New("injected: the group's write failed")
	}
	return t.Store.WriteLedgers(ctx, ws)
}

// TestGroupCommitFailureFallsBackPerOrg: when the transaction shared by
// several orgs' spends fails as a whole, nothing of it stays and each
// org's spends are applied again on their own, once each; a spend that
// does not fit still fails alone and a retried key replays its result.
func TestGroupCommitFailureFallsBackPerOrg(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		gs := &failGroupStore{gatedStore: &gatedStore{Store: d, entered: make(chan struct{}), release: make(chan struct{})}}
		f := newFixtureStore(t, gs, domain.Config{SignupGrantDisabled: true, SpendLanes: 1})
		f.grant(t, domain.GrantPurchased, 10, 0, "seed")
		orgs := []string{f.org.ID}
		for _, name := range []string{"B", "C"} {
			o, err := f.svc.CreateOrg(f.owner, domain.CreateOrgInput{Name: name, Country: "DE", Currency: domain.EUR})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.GrantCredits(f.admin, domain.GrantInput{OrgID: o.ID, Amount: 10, Kind: domain.GrantPurchased, IdempotencyKey: "seed"}); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		a, b, c := orgs[0], orgs[1], orgs[2]
		calls := []struct {
			org    string
			amount int64
			key    string
			want   domain.Code
		}{
			{a, 1, "lead", ""}, // leads alone, held in its transaction
			{b, 2, "b1", ""},
			{c, 3, "c1", ""},
			{b, 4, "b2", ""},
			{c, 20, "c2", domain.CodeInsufficientCredits},
		}
		results := make([]chan domain.CreditResult, len(calls))
		spendOrgs := make([]string, len(calls))
		for i, call := range calls {
			results[i] = make(chan domain.CreditResult, 1)
			spendOrgs[i] = call.org
		}
		gs.armed.Store(true)
		before := gs.txs.Load()
		queueBehindLeader(f.svc, gs.gatedStore, spendOrgs, func(i int) {
			call := calls[i]
			res, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: call.org, Amount: call.amount, IdempotencyKey: call.key})
			if code := codeOf(err); code != call.want {
				t.Errorf("spend %s: code %q, want %q (%v)", call.key, code, call.want, err)
			}
			results[i] <- res
		})
		close(gs.release)
		got := make([]domain.CreditResult, len(calls))
		for i := range calls {
			got[i] = <-results[i]
		}
		if !gs.failed.Load() {
			t.Fatal("the group's write was never attempted: the spends did not share a transaction")
		}
		// The leader, the failed group, then B and C each on its own.
		if n := gs.txs.Load() - before; n != 4 {
			t.Errorf("%d transactions, want 4 (leader, failed group, one per org after it)", n)
		}
		ctx := context.Background()
		for id, want := range map[string]int64{a: 9, b: 4, c: 7} {
			bal, err := d.GetBalance(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := d.SumLedger(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if bal.Total != want || sum != want {
				t.Errorf("org %s: balance %d, ledger sum %d; want %d", id, bal.Total, sum, want)
			}
		}
		for _, i := range []int{1, 2, 3} {
			again, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: calls[i].org, Amount: calls[i].amount, IdempotencyKey: calls[i].key})
			if err != nil || again.Entry.ID != got[i].Entry.ID {
				t.Errorf("retrying %s: %+v, %v; want entry %s", calls[i].key, again.Entry, err, got[i].Entry.ID)
			}
		}
	})
}
