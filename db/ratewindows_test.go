package db_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
)

// TestRateWindowCounts: hits count per key and window, a count reads what
// was hit (0 for nothing), and windows of another key or start are apart.
func TestRateWindowCounts(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		w0, w1 := t0.Truncate(time.Minute), t0.Truncate(time.Minute).Add(time.Minute)
		steps := []struct {
			key   string
			start time.Time
			want  int64
		}{
			{"a", w0, 1},
			{"a", w0, 2},
			{"b", w0, 1},
			{"a", w1, 1},
			{"a", w0, 3},
		}
		for _, s := range steps {
			n, err := d.HitRateWindow(ctx(), s.key, s.start, s.start.Add(time.Minute))
			must(t, err)
			if n != s.want {
				t.Fatalf("HitRateWindow(%s, %s) = %d, want %d", s.key, s.start, n, s.want)
			}
		}
		counts := []struct {
			key   string
			start time.Time
			want  int64
		}{
			{"a", w0, 3}, {"a", w1, 1}, {"b", w0, 1}, {"b", w1, 0}, {"c", w0, 0},
		}
		for _, c := range counts {
			n, err := d.RateWindowCount(ctx(), c.key, c.start)
			must(t, err)
			if n != c.want {
				t.Errorf("RateWindowCount(%s, %s) = %d, want %d", c.key, c.start, n, c.want)
			}
		}
	})
}

// TestRateWindowConcurrentHits: N concurrent hits of one key count exactly
// N, and each sees a distinct count (no lost or shared increments).
func TestRateWindowConcurrentHits(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		const n = 40
		start := t0.Truncate(time.Hour)
		seen := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				seen[i], errs[i] = d.HitRateWindow(ctx(), "hot", start, start.Add(time.Hour))
			})
		}
		wg.Wait()
		distinct := map[int64]bool{}
		for i := range n {
			must(t, errs[i])
			distinct[seen[i]] = true
		}
		total, err := d.RateWindowCount(ctx(), "hot", start)
		must(t, err)
		if total != n || len(distinct) != n {
			t.Fatalf("count %d with %d distinct answers, want %d and %d", total, len(distinct), n, n)
		}
	})
}

// TestPurgeRateWindows deletes only windows that have ended, a batch at a
// time.
func TestPurgeRateWindows(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for i, key := range []string{"old1", "old2", "old3"} {
			start := t0.Add(-time.Duration(i+2) * time.Hour)
			_, err := d.HitRateWindow(ctx(), key, start, start.Add(time.Hour))
			must(t, err)
		}
		_, err := d.HitRateWindow(ctx(), "live", t0, t0.Add(time.Hour))
		must(t, err)

		n, err := d.PurgeRateWindows(ctx(), t0, 2)
		must(t, err)
		if n != 2 {
			t.Fatalf("first purge deleted %d, want 2", n)
		}
		n, err = d.PurgeRateWindows(ctx(), t0, 2)
		must(t, err)
		if n != 1 {
			t.Fatalf("second purge deleted %d, want 1", n)
		}
		if live, err := d.RateWindowCount(ctx(), "live", t0); err != nil || live != 1 {
			t.Fatalf("the live window after purging: %d, %v", live, err)
		}
	})
}
