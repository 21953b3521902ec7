package domain

import (
	"sync"
	"time"
)

// keyCache remembers authenticated API keys for a while, so a busy backend
// does not look its key up on every request. A revocation clears the key on
// the instance that made it and, through the bus, on every other one.
type keyCache struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]keyCacheEntry // by secret hash
}

type keyCacheEntry struct {
	actor Actor
	until time.Time
}

func newKeyCache(ttl time.Duration, max int) *keyCache {
	return &keyCache{ttl: ttl, max: max, m: make(map[string]keyCacheEntry)}
}

// get returns the cached actor for a secret hash while it is fresh at now.
func (c *keyCache) get(hash string, now time.Time) (Actor, bool) {
	if c == nil {
		return Actor{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return Actor{}, false
	}
	return e.actor, true
}

// put caches an actor; when full it first drops expired entries, then
// everything (a cache this small is cheap to refill).
func (c *keyCache) put(hash string, a Actor, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for h, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, h)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[hash] = keyCacheEntry{actor: a, until: now.Add(c.ttl)}
}

// forget drops every entry of an API key.
func (c *keyCache) forget(keyID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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
	clear(c.m)
}
