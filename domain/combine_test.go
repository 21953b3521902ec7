package domain_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// gatedStore counts transactions and holds the first one (once armed)
// until released, so that spends queue behind it.
type gatedStore struct {
	domain.Store
	txs     atomic.Int32
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (g *gatedStore) InTx(ctx context.Context, fn func(domain.Store) error) error {
	g.txs.Add(1)
	if g.armed.CompareAndSwap(true, false) {
		close(g.entered)
		<-g.release
	}
	return g.Store.InTx(ctx, fn)
}

// queueBehindLeader starts spend i of orgs[i] with start (on a goroutine of
// its own) one at a time: the first leads and is held in its transaction
// (the store must be armed), each next one is started once the one before
// it waits in its org's queue, so that all of them join the next batch.
func queueBehindLeader(svc *domain.Service, g *gatedStore, orgs []string, start func(i int)) {
	queued := map[string]int{}
	for i, org := range orgs {
		go start(i)
		if i == 0 {
			<-g.entered
			continue
		}
		queued[org]++
		for svc.QueuedSpends(org) < queued[org] {
			time.Sleep(time.Millisecond)
		}
	}
}

// TestSpendsShareATransaction queues spends behind one in flight and
// checks that they commit together, each with its own outcome: a repeated
// key replays the first result, a reused key with another amount is a
// CONFLICT, a spend that does not fit fails alone.
func TestSpendsShareATransaction(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		gs := &gatedStore{Store: d, entered: make(chan struct{}), release: make(chan struct{})}
		f := newFixtureStore(t, gs, domain.Config{SignupGrantDisabled: true})
		f.grant(t, domain.GrantPurchased, 10, 0, "g")

		type call struct {
			amount int64
			key    string
		}
		type outcome struct {
			res domain.CreditResult
			err error
		}
		calls := []call{{1, "a"}, {2, "b"}, {2, "b"}, {3, "b"}, {100, "c"}, {4, "d"}, {1, "a"}}
		done := make([]chan outcome, len(calls))
		orgs := make([]string, len(calls))
		for i := range calls {
			done[i] = make(chan outcome, 1)
			orgs[i] = f.org.ID
		}
		gs.armed.Store(true)
		before := gs.txs.Load()
		queueBehindLeader(f.svc, gs, orgs, func(i int) {
			res, err := consume(f.owner, f, calls[i].amount, calls[i].key)
			done[i] <- outcome{res, err}
		})
		close(gs.release)
		got := make([]outcome, len(calls))
		for i := range calls {
			got[i] = <-done[i]
		}
		if n := gs.txs.Load() - before; n != 2 {
			t.Errorf("%d transactions for %d spends, want 2 (the leader, then the queue together)", n, len(calls))
		}
		wantCode := []domain.Code{"", "", "", domain.CodeConflict, domain.CodeInsufficientCredits, "", ""}
		for i, o := range got {
			if c := codeOf(o.err); c != wantCode[i] {
				t.Errorf("spend %d (%d, key %q): code %q, want %q (%v)", i, calls[i].amount, calls[i].key, c, wantCode[i], o.err)
			}
		}
		if got[0].res.Balance.Total != 9 || got[1].res.Balance.Total != 7 || got[5].res.Balance.Total != 3 {
			t.Errorf("balances after each spend: %d, %d, %d; want 9, 7, 3",
				got[0].res.Balance.Total, got[1].res.Balance.Total, got[5].res.Balance.Total)
		}
		if !reflect.DeepEqual(got[2].res, got[1].res) {
			t.Errorf("a repeated key in the same batch returned %+v, want the first result %+v", got[2].res, got[1].res)
		}
		if got[6].res.Entry.ID != got[0].res.Entry.ID {
			t.Errorf("a key from an earlier transaction replayed entry %s, want %s", got[6].res.Entry.ID, got[0].res.Entry.ID)
		}
		b := f.checkInvariants(t)
		if b.Total != 3 {
			t.Fatalf("balance %d, want 3", b.Total)
		}
		if n := len(f.ledger(t)); n != 4 {
			t.Fatalf("%d ledger entries, want 4 (one grant, three spends)", n)
		}
	})
}

func codeOf(err error) domain.Code {
	if err == nil {
		return ""
	}
	return domain.ErrorCode(err)
}

// TestSpendWaitsNoLongerThanItsDeadline holds the leader's transaction as
// a database that does not answer would: the leader and a spend queued
// behind it are both answered UNAVAILABLE when their deadlines pass, not
// when the transaction ends; once it is released each request is applied
// once, and a retry with the same key replays it.
func TestSpendWaitsNoLongerThanItsDeadline(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		gs := &gatedStore{Store: d, entered: make(chan struct{}), release: make(chan struct{})}
		f := newFixtureStore(t, gs, domain.Config{SignupGrantDisabled: true})
		f.grant(t, domain.GrantPurchased, 10, 0, "g")

		const deadline = 200 * time.Millisecond
		gs.armed.Store(true)
		errs := make(chan error, 2)
		took := make(chan time.Duration, 2)
		spend := func(key string) {
			ctx, cancel := context.WithTimeout(f.owner, deadline)
			defer cancel()
			began := time.Now()
			_, err := consume(ctx, f, 1, key)
			took <- time.Since(began)
			errs <- err
		}
		go spend("leader")
		<-gs.entered
		go spend("queued")
		for i := range 2 {
			if err := <-errs; domain.ErrorCode(err) != domain.CodeUnavailable {
				t.Errorf("spend %d past its deadline: %v, want UNAVAILABLE", i, err)
			}
			if d := <-took; d > deadline+time.Second {
				t.Errorf("spend %d answered after %v, deadline %v", i, d, deadline)
			}
		}
		close(gs.release)
		for _, key := range []string{"leader", "queued"} {
			var (
				res domain.CreditResult
				err error
			)
			for range 100 { // the held batch is still finishing
				if res, err = consume(f.owner, f, 1, key); err == nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil || res.Entry.ID == "" {
				t.Fatalf("retrying %s: %+v, %v", key, res, err)
			}
		}
		if b := f.checkInvariants(t); b.Total != 8 {
			t.Fatalf("balance %d, want 8 (each spend applied once)", b.Total)
		}
		if n := len(f.ledger(t)); n != 3 {
			t.Fatalf("%d ledger entries, want 3 (one grant, two spends)", n)
		}
	})
}
