package db_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestNextNumber(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		boom := errors.New("boom")
		// inTx takes a number of series in a transaction that ends with err.
		inTx := func(series string, err error) (int64, error) {
			var n int64
			txErr := d.InTx(ctx(), func(tx domain.Store) error {
				var e error
				if n, e = tx.NextNumber(ctx(), series); e != nil {
					return e
				}
				return err
			})
			return n, txErr
		}
		tests := []struct {
			name   string
			next   func() (int64, error)
			want   int64
			wantTx error
		}{
			{"first of a series is 1", func() (int64, error) { return d.NextNumber(ctx(), "inv-2026") }, 1, nil},
			{"then 2", func() (int64, error) { return d.NextNumber(ctx(), "inv-2026") }, 2, nil},
			{"another series starts at 1", func() (int64, error) { return d.NextNumber(ctx(), "inv-2027") }, 1, nil},
			{"in a transaction", func() (int64, error) { return inTx("inv-2026", nil) }, 3, nil},
			{"in a transaction that rolls back", func() (int64, error) { return inTx("inv-2026", boom) }, 4, boom},
			{"the rolled back number again", func() (int64, error) { return inTx("inv-2026", nil) }, 4, nil},
			{"a new series rolled back", func() (int64, error) { return inTx("ord-2026", boom) }, 1, boom},
			{"the new series from 1 again", func() (int64, error) { return d.NextNumber(ctx(), "ord-2026") }, 1, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				n, err := tc.next()
				if err != tc.wantTx {
					t.Fatalf("error = %v, want %v", err, tc.wantTx)
				}
				if n != tc.want {
					t.Fatalf("number = %d, want %d", n, tc.want)
				}
			})
		}
	})
}

// TestNextNumberConcurrent takes numbers from many transactions at once,
// some of which roll back: the committed ones are exactly 1..16.
func TestNextNumberConcurrent(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		const committed, rolledBack = 16, 8
		rollback := errors.New("rollback")
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			got  []int64
			errs = make(chan error, committed+rolledBack)
		)
		for i := range committed + rolledBack {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n int64
				err := d.InTx(ctx(), func(tx domain.Store) error {
					var err error
					if n, err = tx.NextNumber(ctx(), "concurrent"); err != nil {
						return err
					}
					if i%3 == 2 {
						return rollback
					}
					return nil
				})
				switch {
				case err == nil:
					mu.Lock()
					got = append(got, n)
					mu.Unlock()
				case !errors.Is(err, rollback):
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		slices.Sort(got)
		want := make([]int64, committed)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("committed numbers = %v, want 1..%d without gaps or duplicates", got, committed)
		}
	})
}
