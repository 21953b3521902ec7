package ratelimit

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time for the limiters.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestLocalAllow: a bucket allows its burst at once, then one request per
// refill interval, tells how long until the next token, and keeps keys
// apart.
func TestLocalAllow(t *testing.T) {
	t.Parallel()
	type step struct {
		advance  time.Duration
		key      string
		ok       bool
		retryMin time.Duration // when refused: retryAfter in [retryMin, retryMax]
		retryMax time.Duration
	}
	tests := []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{"burst then refill", 2, 3, []step{
			{0, "a", true, 0, 0},
			{0, "a", true, 0, 0},
			{0, "a", true, 0, 0},
			{0, "a", false, 499 * time.Millisecond, 500 * time.Millisecond},
			{250 * time.Millisecond, "a", false, 249 * time.Millisecond, 250 * time.Millisecond},
			{250 * time.Millisecond, "a", true, 0, 0},
			{0, "a", false, 499 * time.Millisecond, 500 * time.Millisecond},
		}},
		{"keys are apart", 1, 1, []step{
			{0, "a", true, 0, 0},
			{0, "a", false, 999 * time.Millisecond, time.Second},
			{0, "b", true, 0, 0},
			{0, "b", false, 999 * time.Millisecond, time.Second},
		}},
		{"slow rate", 0.1, 1, []step{
			{0, "a", true, 0, 0},
			{time.Second, "a", false, 8999 * time.Millisecond, 9 * time.Second},
			{9 * time.Second, "a", true, 0, 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			l := NewLocal(tc.rate, tc.burst, 10)
			l.now = c.Now
			for i, s := range tc.steps {
				c.Add(s.advance)
				ok, wait := l.Allow(s.key)
				if ok != s.ok {
					t.Fatalf("step %d: Allow(%s) = %v, want %v", i, s.key, ok, s.ok)
				}
				if !ok && (wait < s.retryMin || wait > s.retryMax) {
					t.Fatalf("step %d: retryAfter %s, want %s..%s", i, wait, s.retryMin, s.retryMax)
				}
				if ok && wait != 0 {
					t.Fatalf("step %d: allowed with retryAfter %s", i, wait)
				}
			}
		})
	}
}

// TestLocalBounded: beyond its size a Local forgets the least recently used
// keys (memory stays bounded under key rotation), which then start with a
// full bucket.
func TestLocalBounded(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := NewLocal(1, 1, 2)
	l.now = c.Now
	for _, k := range []string{"a", "b", "c"} {
		if ok, _ := l.Allow(k); !ok {
			t.Fatalf("first request of %s refused", k)
		}
	}
	if n := l.buckets.Len(); n != 2 {
		t.Fatalf("%d buckets kept, want 2", n)
	}
	if ok, _ := l.Allow("c"); ok {
		t.Fatal("c, still remembered, got a second token")
	}
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("a, forgotten, was refused")
	}
}

// TestLocalConcurrent: many goroutines on one key get exactly the burst.
func TestLocalConcurrent(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := NewLocal(1, 50, 10)
	l.now = c.Now
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if ok, _ := l.Allow("k"); ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 50 {
		t.Fatalf("%d allowed, want the burst of 50", n)
	}
}

// TestLocalAllowDoesNotAllocate: the hot path (a known key) allocates
// nothing.
func TestLocalAllowDoesNotAllocate(t *testing.T) {
	l := NewLocal(1e9, 1e9, 10)
	key := "0190f3b4-0000-7000-8000-000000000000"
	l.Allow(key)
	if n := testing.AllocsPerRun(1000, func() { l.Allow(key) }); n != 0 {
		t.Fatalf("Allow of a known key makes %.1f allocations, want 0", n)
	}
}

// BenchmarkLocalAllow measures the per-request cost of a known key.
func BenchmarkLocalAllow(b *testing.B) {
	l := NewLocal(1e9, 1e9, 0)
	key := "0190f3b4-0000-7000-8000-000000000000"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow(key)
		}
	})
}
