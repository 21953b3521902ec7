package domain

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// keyCache remembers authenticated API keys, so a busy backend does not
// look its key up on every request, and keeps the lookups it does make off
// the requests' way:
//
//   - concurrent misses of one key share one store read;
//   - an entry older than half its time to live is read again in the
//     background by the first request that hits it, which (like every other
//     request) is answered from the entry at once: a key in steady use is
//     never missed;
//   - the uses of a key are noted in its entry and written (last_used_at) by
//     a background flusher, at most once per key per flush interval.
//
// A revocation clears the key on the instance that made it and, through the
// bus, on every other one (forget); a read that began before a forget or a
// clear is neither cached nor shared with a request that came after it, so
// a revoked key is refused from the moment its revocation arrives.
type keyCache struct {
	ttl     time.Duration // an entry is served this long after its read
	refresh time.Duration // an entry this old is read again in the background
	max     int
	now     func() time.Time
	fetch   func(ctx context.Context, hash string) (keyRead, error)

	mu    sync.Mutex
	gen   uint64 // bumped by forget and clear
	m     map[string]*keyCacheEntry
	group singleflight.Group
}

// keyRead is what the store says about a key: its actor, when its use was
// last written, and whether it is revoked.
type keyRead struct {
	actor    Actor
	lastUsed time.Time
	revoked  bool
}

type keyCacheEntry struct {
	actor      Actor
	read       time.Time // when the store was read
	refreshing bool      // a background read is under way
	used       time.Time // the last request with the key
	stamped    time.Time // last_used_at as stored or last handed to the flusher
}

// newKeyCache returns a cache of at most max keys served ttl after their
// read from fetch, on the clock now.
func newKeyCache(ttl time.Duration, max int, now func() time.Time, fetch func(context.Context, string) (keyRead, error)) *keyCache {
	return &keyCache{ttl: ttl, refresh: ttl / 2, max: max, now: now, fetch: fetch, m: make(map[string]*keyCacheEntry)}
}

// keyRevoked is a lookup's answer for a revoked key.
func keyRevoked() *Error { return Errorf(CodeUnauthenticated, "API key was revoked") }

// get returns the actor of the key whose secret hashes to hash: from the
// cache while the entry is fresh (starting its background refresh when it
// is due), else from one store read shared by every concurrent miss.
// UNAUTHENTICATED (keyRevoked) for a revoked key; the store's errors
// (NOT_FOUND for an unknown key) otherwise.
func (c *keyCache) get(ctx context.Context, hash string) (Actor, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[hash]
	if ok && now.Before(e.read.Add(c.ttl)) {
		a := e.actor
		if now.After(e.used) {
			e.used = now
		}
		due := !e.refreshing && !now.Before(e.read.Add(c.refresh))
		if due {
			e.refreshing = true
		}
		gen := c.gen
		c.mu.Unlock()
		if due {
			go c.refreshEntry(hash, gen)
		}
		return a, nil
	}
	gen := c.gen
	c.mu.Unlock()
	r, err := c.load(ctx, hash, gen)
	if err != nil {
		return Actor{}, err
	}
	c.markUsed(hash, now)
	return r.actor, nil
}

// load reads a key through the flight of its hash and generation: a
// request after a forget or clear never joins a read begun before it.
func (c *keyCache) load(ctx context.Context, hash string, gen uint64) (keyRead, error) {
	v, err, _ := c.group.Do(hash+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		// Detached from one caller's cancellation: others may share the read.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		r, err := c.fetch(ctx, hash)
		switch {
		case err == nil && r.revoked:
			c.drop(hash, gen)
			return nil, keyRevoked()
		case IsCode(err, CodeNotFound):
			c.drop(hash, gen)
			return nil, err
		case err != nil:
			c.refreshFailed(hash)
			return nil, err
		}
		c.put(hash, r, gen)
		return r, nil
	})
	if err != nil {
		return keyRead{}, err
	}
	return v.(keyRead), nil
}

// refreshEntry reads a cached key again in the background.
func (c *keyCache) refreshEntry(hash string, gen uint64) {
	_, _ = c.load(context.Background(), hash, gen) // a failure keeps the entry until it expires
}

// put caches a read made at generation gen, unless a forget or clear came
// since. A cached entry keeps its noted uses. When the cache is full it
// first drops expired entries, then everything (a cache this small is
// cheap to refill; unwritten uses are lost, a best-effort stamp).
func (c *keyCache) put(hash string, r keyRead, gen uint64) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		if e, ok := c.m[hash]; ok {
			e.refreshing = false // the next hit reads it again
		}
		return
	}
	if e, ok := c.m[hash]; ok {
		e.actor, e.read, e.refreshing = r.actor, now, false
		if r.lastUsed.After(e.stamped) {
			e.stamped = r.lastUsed
		}
		return
	}
	if len(c.m) >= c.max {
		for h, e := range c.m {
			if !now.Before(e.read.Add(c.ttl)) {
				delete(c.m, h)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[hash] = &keyCacheEntry{actor: r.actor, read: now, stamped: r.lastUsed}
}

// markUsed notes a use of a cached key at t.
func (c *keyCache) markUsed(hash string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok && t.After(e.used) {
		e.used = t
	}
}

// drop removes an unknown or revoked key read at generation gen.
func (c *keyCache) drop(hash string, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		delete(c.m, hash)
	}
}

// refreshFailed lets the next request try a failed background read again.
func (c *keyCache) refreshFailed(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		e.refreshing = false
	}
}

// forget drops every entry of an API key.
func (c *keyCache) forget(keyID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.m {
		if e.actor.APIKeyID == keyID {
			delete(c.m, h)
		}
	}
}

// clear drops every entry.
func (c *keyCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// takeUses returns, by key ID, the last use of every cached key used since
// its use was last written, and counts those uses as written.
func (c *keyCache) takeUses() map[string]time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out map[string]time.Time
	for _, e := range c.m {
		if e.used.After(e.stamped) {
			if out == nil {
				out = make(map[string]time.Time)
			}
			out[e.actor.APIKeyID] = e.used
			e.stamped = e.used
		}
	}
	return out
}

// len counts the cached keys (tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
