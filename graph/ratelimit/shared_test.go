package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
)

// countingStore is the real store, counting the statements Shared sends.
type countingStore struct {
	*db.DB
	calls atomic.Int64
}

func (c *countingStore) HitRateWindow(ctx context.Context, key string, start, expires time.Time) (int64, error) {
	c.calls.Add(1)
	return c.DB.HitRateWindow(ctx, key, start, expires)
}

func (c *countingStore) RateWindowCount(ctx context.Context, key string, start time.Time) (int64, error) {
	c.calls.Add(1)
	return c.DB.RateWindowCount(ctx, key, start)
}

// instance is one server's Shared over a shared database and clock.
func instance(store Counter, c *clock) *Shared {
	s := NewShared(store, 100)
	s.now = c.Now
	return s
}

// TestSharedBudgetAcrossInstances: two instances over one database spend
// one budget; over it, each refuses until the window ends, from memory
// after it learned once; a new window starts afresh.
func TestSharedBudgetAcrossInstances(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		store := &countingStore{DB: d}
		c := newClock()
		a, b := instance(store, c), instance(store, c)
		const limit, period = 3, 10 * time.Minute
		c.Add(4 * time.Minute) // 6 minutes left in the window
		steps := []struct {
			on      *Shared
			name    string
			ok      bool
			dbCalls int64 // statements so far
		}{
			{a, "a", true, 1},
			{a, "a", true, 2},
			{b, "b", true, 3},
			{b, "b", false, 4}, // the 4th attempt: over
			{b, "b", false, 4}, // refused from memory
			{a, "a", false, 5}, // a learns from the database once
			{a, "a", false, 5},
		}
		for i, s := range steps {
			ok, wait, err := s.on.Hit(context.Background(), "k", limit, period)
			if err != nil {
				t.Fatal(err)
			}
			if ok != s.ok || store.calls.Load() != s.dbCalls {
				t.Fatalf("step %d on %s: ok %v after %d statements, want %v after %d", i, s.name, ok, store.calls.Load(), s.ok, s.dbCalls)
			}
			if !ok && wait != 6*time.Minute {
				t.Fatalf("step %d: retryAfter %s, want the 6m left in the window", i, wait)
			}
		}
		if _, blocked := a.Blocked("k"); !blocked {
			t.Fatal("Blocked(k) = false on an instance that refused it")
		}
		if _, blocked := a.Blocked("other"); blocked {
			t.Fatal("Blocked(other) = true")
		}
		c.Add(6 * time.Minute) // the next window
		for _, s := range []*Shared{a, b} {
			if ok, _, err := s.Hit(context.Background(), "k", limit, period); err != nil || !ok {
				t.Fatalf("first hit of the next window: %v, %v", ok, err)
			}
		}
	})
}

// TestSharedConcurrentBudget: concurrent attempts on two instances get
// exactly the limit, never more.
func TestSharedConcurrentBudget(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		c := newClock()
		instances := []*Shared{instance(d, c), instance(d, c)}
		const limit = 7
		var allowed atomic.Int64
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				ok, _, err := instances[i%2].Hit(context.Background(), "k", limit, time.Hour)
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		if n := allowed.Load(); n != limit {
			t.Fatalf("%d attempts allowed, want %d", n, limit)
		}
	})
}

// TestSharedCheck: Check counts nothing and refuses once a Hit would be
// over the limit (another instance's hits included).
func TestSharedCheck(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		c := newClock()
		a, b := instance(d, c), instance(d, c)
		ctx := context.Background()
		for i := range 3 {
			if ok, _, err := a.Check(ctx, "declines", 2, time.Hour); err != nil || ok != (i < 2) {
				t.Fatalf("Check with %d hits: %v, %v; want %v", i, ok, err, i < 2)
			}
			if i < 2 {
				if _, _, err := b.Hit(ctx, "declines", 2, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n, err := d.RateWindowCount(ctx, "declines", c.Now().Truncate(time.Hour)); err != nil || n != 2 {
			t.Fatalf("count after checks = %d, %v; want 2 (Check counts nothing)", n, err)
		}
	})
}

// TestSharedPurge deletes the windows that have ended, and only those.
func TestSharedPurge(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		c := newClock()
		s := instance(d, c)
		ctx := context.Background()
		for _, k := range []string{"a", "b"} {
			if _, _, err := s.Hit(ctx, k, 5, time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.Hit(ctx, "long", 5, time.Hour); err != nil {
			t.Fatal(err)
		}
		c.Add(2 * time.Minute)
		n, err := s.Purge(ctx, 100)
		if err != nil || n != 2 {
			t.Fatalf("Purge = %d, %v; want the 2 ended windows", n, err)
		}
		if left, _ := d.RateWindowCount(ctx, "long", c.Now().Truncate(time.Hour)); left != 1 {
			t.Fatalf("the running window was purged (count %d)", left)
		}
	})
}
