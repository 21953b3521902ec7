package db_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestInTx(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		boom := errors.New("boom")
		tests := []struct {
			name    string
			fn      func(tx domain.Store, name string) error
			wantErr error
			wantOrg bool
		}{
			{"commit", func(tx domain.Store, name string) error {
				return tx.CreateOrg(ctx(), org(name))
			}, nil, true},
			{"rollback on error, error unchanged", func(tx domain.Store, name string) error {
				if err := tx.CreateOrg(ctx(), org(name)); err != nil {
					return err
				}
				return boom
			}, boom, false},
			{"nested reuses the transaction", func(tx domain.Store, name string) error {
				return tx.InTx(ctx(), func(inner domain.Store) error {
					if inner != tx {
						return errors.New("nested InTx opened a new transaction")
					}
					if err := inner.CreateOrg(ctx(), org(name)); err != nil {
						return err
					}
					return boom // the outer transaction rolls back too
				})
			}, boom, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				id := newID()
				err := d.InTx(ctx(), func(tx domain.Store) error { return tc.fn(tx, id) })
				if err != tc.wantErr {
					t.Fatalf("InTx error = %v, want %v", err, tc.wantErr)
				}
				_, err = d.OrgByID(ctx(), id)
				if exists := err == nil; exists != tc.wantOrg {
					t.Fatalf("org exists = %v (%v), want %v", exists, err, tc.wantOrg)
				}
			})
		}
		t.Run("panic rolls back", func(t *testing.T) {
			id := newID()
			func() {
				defer func() { _ = recover() }()
				_ = d.InTx(ctx(), func(tx domain.Store) error {
					must(t, tx.CreateOrg(ctx(), org(id)))
					panic("boom")
				})
			}()
			_, err := d.OrgByID(ctx(), id)
			wantCode(t, err, domain.CodeNotFound)
			// The store still works (the lock or connection was released).
			must(t, d.CreateOrg(ctx(), org(newID())))
		})
	})
}

func org(id string) domain.Org {
	return domain.Org{ID: id, Name: "T", Country: "FR", Currency: domain.EUR, Status: domain.OrgActive, Seats: 1, CreatedAt: t0, UpdatedAt: t0}
}

// TestLockBalanceSerializes proves the balance lock serializes writers.
func TestLockBalanceSerializes(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) { lockRace(t, d, d) })
}

// TestSQLiteImmediateTransactions runs the race across two pools on one
// SQLite file (as two processes would): the in-process queue does not keep
// them apart, the lock file and BEGIN IMMEDIATE do.
func TestSQLiteImmediateTransactions(t *testing.T) {
	t.Parallel()
	path := "sqlite://" + filepath.Join(t.TempDir(), "shared.db")
	open := func() *db.DB {
		d, err := db.Open(ctx(), path, db.Options{})
		must(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	a, b := open(), open()
	must(t, a.Migrate(ctx()))
	lockRace(t, a, b)
}

// lockRace has many goroutines, alternating between stores a and b, each
// read the balance under LockBalance and write total-1; a lost update
// leaves the total too high.
func lockRace(t *testing.T, a, b *db.DB) {
	const workers, rounds = 8, 10
	o := mkOrg(t, a)
	grantCredits(t, a, o.ID, domain.GrantPurchased, 1000, nil)

	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		store := a
		if w%2 == 1 {
			store = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				errs <- store.InTx(ctx(), func(tx domain.Store) error {
					bal, _, err := tx.LockBalance(ctx(), o.ID, "")
					if err != nil {
						return err
					}
					// A plain read inside the lock sees the same counters.
					if again, err := tx.GetBalance(ctx(), o.ID); err != nil || again.Total != bal.Total {
						return fmt.Errorf("read under lock = %+v, %v; locked %+v", again, err, bal)
					}
					bal.Total--
					bal.Paid--
					bal.UpdatedAt = t0
					return tx.WriteLedger(ctx(), domain.LedgerWrite{Balance: bal})
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	bal, err := a.GetBalance(ctx(), o.ID)
	must(t, err)
	if want := int64(1000 - workers*rounds); bal.Total != want {
		t.Fatalf("total = %d, want %d: updates were lost", bal.Total, want)
	}
}
