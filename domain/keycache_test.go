package domain

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeKeys is the store side of a keyCache under test: one answer per
// hash, a count of reads, and an optional gate that holds reads.
type fakeKeys struct {
	mu    sync.Mutex
	keys  map[string]keyRead
	err   error
	reads atomic.Int64
	gate  chan struct{} // when set, each read waits for it to close
}

func (f *fakeKeys) fetch(ctx context.Context, hash string) (keyRead, error) {
	f.mu.Lock()
	gate, err := f.gate, f.err
	r, ok := f.keys[hash]
	f.mu.Unlock()
	f.reads.Add(1)
	if gate != nil {
		<-gate // answers what it read before: a slow query
	}
	if err != nil {
		return keyRead{}, err
	}
	if !ok {
		return keyRead{}, NotFound("API key")
	}
	return r, nil
}

func (f *fakeKeys) set(hash string, r keyRead) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[hash] = r
}

// waitFor polls cond for up to 5 seconds (background refreshes).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestKeyCache(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := keyRead{actor: Actor{APIKeyID: "k1", APIKeyOrgID: "o1"}}
	b := keyRead{actor: Actor{APIKeyID: "k2", APIKeyOrgID: "o1"}}
	ctx := context.Background()
	tests := []struct {
		name      string
		run       func(t *testing.T, c *keyCache, clock *ManualClock, f *fakeKeys) (Actor, error)
		wantKey   string // "" for an error
		wantCode  Code
		wantReads int64
	}{
		{"unknown key", func(t *testing.T, c *keyCache, _ *ManualClock, _ *fakeKeys) (Actor, error) {
			return c.get(ctx, "nope")
		}, "", CodeNotFound, 1},
		{"miss then hit", func(t *testing.T, c *keyCache, clock *ManualClock, _ *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			clock.Advance(10 * time.Second)
			return c.get(ctx, "h1")
		}, "k1", "", 1},
		{"revoked key", func(t *testing.T, c *keyCache, _ *ManualClock, f *fakeKeys) (Actor, error) {
			f.set("h1", keyRead{actor: a.actor, revoked: true})
			return c.get(ctx, "h1")
		}, "", CodeUnauthenticated, 1},
		{"expired entry is read again", func(t *testing.T, c *keyCache, clock *ManualClock, _ *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			clock.Advance(time.Minute)
			return c.get(ctx, "h1")
		}, "k1", "", 2},
		{"refresh ahead answers from the entry and reads in the background", func(t *testing.T, c *keyCache, clock *ManualClock, f *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			clock.Advance(31 * time.Second) // past half the TTL
			got, err := c.get(ctx, "h1")
			waitFor(t, "the background refresh", func() bool { return f.reads.Load() == 2 })
			waitFor(t, "the refreshed entry", func() bool {
				c.mu.Lock()
				defer c.mu.Unlock()
				return !c.m["h1"].refreshing
			})
			clock.Advance(45 * time.Second)             // 76s after the first read, 45s after the refresh
			if _, err := c.get(ctx, "h1"); err != nil { // a hit, which starts the next refresh
				t.Fatal(err)
			}
			waitFor(t, "the next background refresh", func() bool { return f.reads.Load() == 3 })
			return got, err
		}, "k1", "", 3},
		{"a refresh finding the key revoked drops it", func(t *testing.T, c *keyCache, clock *ManualClock, f *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			f.set("h1", keyRead{actor: a.actor, revoked: true})
			clock.Advance(31 * time.Second)
			_, _ = c.get(ctx, "h1") // still served: the revocation's bus event is what refuses at once
			waitFor(t, "the refresh to drop the key", func() bool { return c.len() == 0 })
			return c.get(ctx, "h1")
		}, "", CodeUnauthenticated, 3},
		{"a failed refresh keeps the entry until it expires", func(t *testing.T, c *keyCache, clock *ManualClock, f *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			f.mu.Lock()
			f.err = errors.New("database down")
			f.mu.Unlock()
			clock.Advance(31 * time.Second)
			_, _ = c.get(ctx, "h1")
			waitFor(t, "the failed refresh", func() bool {
				c.mu.Lock()
				defer c.mu.Unlock()
				return !c.m["h1"].refreshing
			})
			got, err := c.get(ctx, "h1")
			waitFor(t, "the retried refresh", func() bool { return f.reads.Load() == 3 })
			return got, err
		}, "k1", "", 3}, // the hit after the failure tries the refresh again
		{"forgotten on revoke", func(t *testing.T, c *keyCache, _ *ManualClock, f *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			_, _ = c.get(ctx, "h2")
			c.forget("k1")
			f.set("h1", keyRead{actor: a.actor, revoked: true})
			if got, err := c.get(ctx, "h2"); err != nil || got.APIKeyID != "k2" {
				t.Errorf("forget dropped another key: %v %v", got, err)
			}
			return c.get(ctx, "h1")
		}, "", CodeUnauthenticated, 3},
		{"cleared on resync", func(t *testing.T, c *keyCache, _ *ManualClock, _ *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			c.clear()
			return c.get(ctx, "h1")
		}, "k1", "", 2},
		{"full cache makes room", func(t *testing.T, c *keyCache, _ *ManualClock, _ *fakeKeys) (Actor, error) {
			_, _ = c.get(ctx, "h1")
			_, _ = c.get(ctx, "h2")
			_, _ = c.get(ctx, "h3") // max 2: refill from empty
			if c.len() != 1 {
				t.Errorf("%d entries, want 1", c.len())
			}
			return c.get(ctx, "h3")
		}, "k1", "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeKeys{keys: map[string]keyRead{"h1": a, "h2": b, "h3": a}}
			clock := NewManualClock(t0)
			c := newKeyCache(time.Minute, 2, clock.Now, f.fetch)
			got, err := tt.run(t, c, clock, f)
			switch {
			case tt.wantKey == "" && ErrorCode(err) != tt.wantCode:
				t.Fatalf("got %+v %v, want %s", got, err, tt.wantCode)
			case tt.wantKey != "" && (err != nil || got.APIKeyID != tt.wantKey):
				t.Fatalf("got %+v %v, want key %s", got, err, tt.wantKey)
			}
			if n := f.reads.Load(); n != tt.wantReads {
				t.Errorf("%d store reads, want %d", n, tt.wantReads)
			}
		})
	}
}

// TestKeyCacheMergesMisses: concurrent misses of one key share one read.
func TestKeyCacheMergesMisses(t *testing.T) {
	f := &fakeKeys{keys: map[string]keyRead{"h1": {actor: Actor{APIKeyID: "k1", APIKeyOrgID: "o1"}}}, gate: make(chan struct{})}
	c := newKeyCache(time.Minute, 10, NewManualClock(time.Now()).Now, f.fetch)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			a, err := c.get(context.Background(), "h1")
			if err == nil && a.APIKeyID != "k1" {
				err = errors.New("wrong actor " + a.APIKeyID)
			}
			errs <- err
		})
	}
	waitFor(t, "the first read", func() bool { return f.reads.Load() == 1 })
	time.Sleep(20 * time.Millisecond) // let the other 63 join the flight
	close(f.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := f.reads.Load(); got != 1 {
		t.Fatalf("%d concurrent misses made %d store reads, want 1", n, got)
	}
}

// TestKeyCacheRevocationDuringRead: a read that began before a revocation
// arrived is neither cached nor shared with a request after it.
func TestKeyCacheRevocationDuringRead(t *testing.T) {
	live := keyRead{actor: Actor{APIKeyID: "k1", APIKeyOrgID: "o1"}}
	gate := make(chan struct{})
	f := &fakeKeys{keys: map[string]keyRead{"h1": live}, gate: gate}
	c := newKeyCache(time.Minute, 10, NewManualClock(time.Now()).Now, f.fetch)
	first := make(chan error, 1)
	go func() { _, err := c.get(context.Background(), "h1"); first <- err }()
	waitFor(t, "the first read", func() bool { return f.reads.Load() == 1 })
	// The key is revoked while the first read (which saw it live) waits.
	f.set("h1", keyRead{actor: live.actor, revoked: true})
	c.forget("k1")
	f.mu.Lock()
	f.gate = nil
	f.mu.Unlock()
	if _, err := c.get(context.Background(), "h1"); !IsCode(err, CodeUnauthenticated) {
		t.Fatalf("request after the revocation: %v, want UNAUTHENTICATED", err)
	}
	close(gate)
	if err := <-first; err != nil {
		t.Fatalf("the read begun before the revocation: %v", err)
	}
	if c.len() != 0 {
		t.Fatal("the read begun before the revocation was cached")
	}
	if _, err := c.get(context.Background(), "h1"); !IsCode(err, CodeUnauthenticated) {
		t.Fatalf("later request: %v, want UNAUTHENTICATED", err)
	}
}

// TestKeyCacheUses: uses are handed to the flusher once each, and only
// when newer than the stored stamp.
func TestKeyCacheUses(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := NewManualClock(t0)
	f := &fakeKeys{keys: map[string]keyRead{
		"h1": {actor: Actor{APIKeyID: "k1"}},
		"h2": {actor: Actor{APIKeyID: "k2"}, lastUsed: t0.Add(time.Hour)}, // stamped later elsewhere
	}}
	c := newKeyCache(time.Minute, 10, clock.Now, f.fetch)
	if uses := c.takeUses(); len(uses) != 0 {
		t.Fatalf("uses before any request: %v", uses)
	}
	for range 3 {
		_, _ = c.get(context.Background(), "h1")
		_, _ = c.get(context.Background(), "h2")
		clock.Advance(time.Second)
	}
	uses := c.takeUses()
	if len(uses) != 1 || !uses["k1"].Equal(t0.Add(2*time.Second)) {
		t.Fatalf("uses %v, want k1 at its last request", uses)
	}
	if again := c.takeUses(); len(again) != 0 {
		t.Fatalf("uses taken twice: %v", again)
	}
}
