package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestGrantsReadAfterLock has many goroutines spend one credit each from
// one grant the way the domain does (LockBalance, OpenGrants, WriteLedger):
// if the open grants were read before the balance lock was granted (a
// snapshot older than the last writer's commit), a grant's Remaining would
// be written back too high and lose updates.
func TestGrantsReadAfterLock(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		const workers, rounds = 8, 10
		o := mkOrg(t, d)
		grantCredits(t, d, o.ID, domain.GrantPurchased, 1000, nil)

		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for range workers {
			wg.Go(func() {
				for range rounds {
					errs <- d.InTx(ctx(), func(tx domain.Store) error {
						b, _, err := tx.LockBalance(ctx(), o.ID, "")
						if err != nil {
							return err
						}
						gs, err := tx.OpenGrants(ctx(), o.ID)
						if err != nil {
							return err
						}
						if len(gs) != 1 {
							return errors.New("want one open grant")
						}
						w, _ := spend(b, gs[0], 1, "", "", t0)
						return tx.WriteLedger(ctx(), w)
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		want := int64(1000 - workers*rounds)
		b, err := d.GetBalance(ctx(), o.ID)
		must(t, err)
		gs, err := d.OpenGrants(ctx(), o.ID)
		must(t, err)
		if b.Total != want || len(gs) != 1 || gs[0].Remaining != want {
			t.Fatalf("balance %d, grants %+v; want %d in both: grant updates were lost", b.Total, gs, want)
		}
	})
}

// TestPipelinedTransaction covers how a PostgreSQL transaction that sends
// BEGIN with its first statement and WriteLedger with COMMIT ends, on a
// pool of one connection, so every case also proves that the connection
// was left clean for the next transaction.
func TestPipelinedTransaction(t *testing.T) {
	t.Parallel()
	d, err := db.Open(ctx(), dbtest.PostgresURL(t), db.Options{MaxOpenConns: 1})
	must(t, err)
	t.Cleanup(func() { _ = d.Close() })

	o := mkOrg(t, d)
	g := grantCredits(t, d, o.ID, domain.GrantPurchased, 100, nil)
	// A spend with key "used" is committed; reusing the key is a CONFLICT.
	must(t, d.InTx(ctx(), func(tx domain.Store) error {
		b, _, err := tx.LockBalance(ctx(), o.ID, "used")
		if err != nil {
			return err
		}
		w, _ := spend(b, g, 1, "", "used", t0)
		return tx.WriteLedger(ctx(), w)
	}))
	g.Remaining--

	// spendOne writes a spend of one credit under the lock, with key.
	spendOne := func(tx domain.Store, key string) error {
		b, _, err := tx.LockBalance(ctx(), o.ID, key)
		if err != nil {
			return err
		}
		gs, err := tx.OpenGrants(ctx(), o.ID)
		if err != nil {
			return err
		}
		w, _ := spend(b, gs[0], 1, "", key, t0)
		return tx.WriteLedger(ctx(), w)
	}
	cancelled, cancel := context.WithCancel(ctx())
	cancel()
	late, cancelLate := context.WithCancel(ctx())
	var cur domain.Balance // the balance before each case

	tests := []struct {
		name  string
		ctx   context.Context
		fn    func(tx domain.Store) error
		want  domain.Code // "" for success
		spent int64       // credits spent by a successful transaction
	}{
		{"no statement at all", ctx(), func(domain.Store) error { return nil }, "", 0},
		{"lock, grants, write, commit", ctx(), func(tx domain.Store) error { return spendOne(tx, newID()) }, "", 1},
		{"write alone", ctx(), func(tx domain.Store) error {
			return tx.WriteLedger(ctx(), domain.LedgerWrite{Balance: cur})
		}, "", 0},
		{"a read after the write sees it", ctx(), func(tx domain.Store) error {
			before, _, err := tx.LockBalance(ctx(), o.ID, "")
			if err != nil {
				return err
			}
			if err := spendOne(tx, newID()); err != nil {
				return err
			}
			after, err := tx.GetBalance(ctx(), o.ID)
			if err != nil {
				return err
			}
			if after.Total != before.Total-1 {
				return errors.New("the read did not see the transaction's write")
			}
			return nil
		}, "", 1},
		{"two writes", ctx(), func(tx domain.Store) error {
			if err := spendOne(tx, newID()); err != nil {
				return err
			}
			return spendOne(tx, newID())
		}, "", 2},
		{"write conflict at commit", ctx(), func(tx domain.Store) error { return spendOne(tx, "used") }, domain.CodeConflict, 0},
		{"write conflict reported by the next statement", ctx(), func(tx domain.Store) error {
			if err := spendOne(tx, "used"); err != nil {
				return err
			}
			_, err := tx.GetBalance(ctx(), o.ID)
			return err
		}, domain.CodeConflict, 0},
		{"swallowed write conflict", ctx(), func(tx domain.Store) error {
			if err := spendOne(tx, "used"); err != nil {
				return err
			}
			_, _ = tx.OrgByID(ctx(), o.ID)
			return nil
		}, domain.CodeConflict, 0},
		{"swallowed statement failure", ctx(), func(tx domain.Store) error {
			if err := spendOne(tx, newID()); err != nil {
				return err
			}
			_ = tx.AddMembership(ctx(), domain.Membership{OrgID: o.ID, UserID: newID(), Role: domain.RoleMember, CreatedAt: t0}) // no such user
			return nil
		}, domain.CodeInternal, 0},
		{"unknown org", ctx(), func(tx domain.Store) error {
			_, _, err := tx.LockBalance(ctx(), newID(), "k")
			return err
		}, domain.CodeNotFound, 0},
		{"function error after the write", ctx(), func(tx domain.Store) error {
			if err := spendOne(tx, newID()); err != nil {
				return err
			}
			return domain.InvalidInput("x", "refused")
		}, domain.CodeInvalidInput, 0},
		{"cancelled context", cancelled, func(tx domain.Store) error { return spendOne(tx, newID()) }, domain.CodeInternal, 0},
		{"context cancelled before commit", late, func(tx domain.Store) error {
			err := spendOne(tx, newID())
			cancelLate()
			return err
		}, domain.CodeInternal, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := d.GetBalance(ctx(), o.ID)
			must(t, err)
			cur = before
			err = d.InTx(tc.ctx, tc.fn)
			if tc.want == "" {
				must(t, err)
			} else {
				wantCode(t, err, tc.want)
			}
			after, err := d.GetBalance(ctx(), o.ID)
			must(t, err)
			if got := before.Total - after.Total; got != tc.spent {
				t.Fatalf("spent %d, want %d", got, tc.spent)
			}
			if sum, err := d.SumLedger(ctx(), o.ID); err != nil || sum != after.Total {
				t.Fatalf("ledger sum = %d (%v), balance %d", sum, err, after.Total)
			}
			// The one connection is clean: the next transaction works.
			must(t, d.InTx(ctx(), func(tx domain.Store) error {
				_, _, err := tx.LockBalance(ctx(), o.ID, "")
				return err
			}))
		})
	}
}
