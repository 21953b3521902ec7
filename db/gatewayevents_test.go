package db_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestRecordGatewayEvent(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		boom := errors.New("boom")
		inTx := func(gateway, id string, err error) (bool, error) {
			var fresh bool
			txErr := d.InTx(ctx(), func(tx domain.Store) error {
				var e error
				if fresh, e = tx.RecordGatewayEvent(ctx(), gateway, id, t0); e != nil {
					return e
				}
				return err
			})
			return fresh, txErr
		}
		tests := []struct {
			name      string
			record    func() (bool, error)
			wantFresh bool
			wantErr   error
		}{
			{"fresh", func() (bool, error) { return d.RecordGatewayEvent(ctx(), "stripe", "evt_1", t0) }, true, nil},
			{"duplicate", func() (bool, error) { return d.RecordGatewayEvent(ctx(), "stripe", "evt_1", t0) }, false, nil},
			{"same id at another gateway", func() (bool, error) { return d.RecordGatewayEvent(ctx(), "paypal", "evt_1", t0) }, true, nil},
			{"duplicate in a transaction", func() (bool, error) { return inTx("stripe", "evt_1", nil) }, false, nil},
			{"fresh in a transaction that rolls back", func() (bool, error) { return inTx("stripe", "evt_2", boom) }, true, boom},
			{"fresh again after the rollback", func() (bool, error) { return inTx("stripe", "evt_2", nil) }, true, nil},
			{"then a duplicate", func() (bool, error) { return inTx("stripe", "evt_2", nil) }, false, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				fresh, err := tc.record()
				if err != tc.wantErr {
					t.Fatalf("error = %v, want %v", err, tc.wantErr)
				}
				if fresh != tc.wantFresh {
					t.Fatalf("fresh = %v, want %v", fresh, tc.wantFresh)
				}
			})
		}
	})
}

// TestRecordGatewayEventConcurrent delivers one event to many transactions
// at once: exactly one sees it fresh.
func TestRecordGatewayEventConcurrent(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		const deliveries = 20
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			fresh = make(chan bool, deliveries)
			errs  = make(chan error, deliveries)
		)
		for range deliveries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- d.InTx(ctx(), func(tx domain.Store) error {
					f, err := tx.RecordGatewayEvent(ctx(), "stripe", "evt_race", t0)
					fresh <- f && err == nil
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		close(fresh)
		close(errs)
		for err := range errs {
			must(t, err)
		}
		n := 0
		for f := range fresh {
			if f {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d deliveries saw the event fresh, want 1", n)
		}
	})
}

// TestPurgeGatewayEvents forgets old event ids in batches, oldest first,
// and keeps recent ones: a purged id is fresh again.
func TestPurgeGatewayEvents(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for i, id := range []string{"old-1", "old-2", "old-3", "new"} {
			at := t0.Add(time.Duration(i) * time.Hour)
			if id == "new" {
				at = t0.Add(48 * time.Hour)
			}
			if _, err := d.RecordGatewayEvent(ctx(), "stripe", id, at); err != nil {
				t.Fatal(err)
			}
		}
		cut := t0.Add(24 * time.Hour)
		for _, want := range []int{2, 1, 0} {
			n, err := d.PurgeGatewayEvents(ctx(), cut, 2)
			if err != nil || n != want {
				t.Fatalf("PurgeGatewayEvents = %d, %v; want %d", n, err, want)
			}
		}
		if fresh, _ := d.RecordGatewayEvent(ctx(), "stripe", "new", cut); fresh {
			t.Fatal("a recent event id was purged")
		}
		if fresh, _ := d.RecordGatewayEvent(ctx(), "stripe", "old-1", cut); !fresh {
			t.Fatal("a purged event id is still remembered")
		}
	})
}
