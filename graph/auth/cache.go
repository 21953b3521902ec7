package auth

import (
	"container/list"
	"sync"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Defaults of the subject → user cache.
const (
	defaultUserCacheTTL  = 5 * time.Minute
	defaultUserCacheSize = 10_000
)

// userCache remembers which user a token subject resolved to, so that a busy
// client does not cause a database write per request. It is a bounded LRU
// with a time to live; an entry also misses when the token's email or name
// changed, so that EnsureUser refreshes them.
type userCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	size  int
	now   func() time.Time
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	subject     string
	email, name string // as the token carried them
	user        domain.User
	expires     time.Time
}

func newUserCache(ttl time.Duration, size int) *userCache {
	if ttl <= 0 {
		ttl = defaultUserCacheTTL
	}
	if size <= 0 {
		size = defaultUserCacheSize
	}
	return &userCache{ttl: ttl, size: size, now: time.Now, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the cached user of subject when fresh and still matching the
// token's email and name.
func (c *userCache) get(subject, email, name string) (domain.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[subject]
	if !ok {
		return domain.User{}, false
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) || e.email != email || e.name != name {
		c.order.Remove(el)
		delete(c.items, subject)
		return domain.User{}, false
	}
	c.order.MoveToFront(el)
	return e.user, true
}

// put stores a user, evicting the least recently used entry when full.
func (c *userCache) put(subject, email, name string, u domain.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &cacheEntry{subject: subject, email: email, name: name, user: u, expires: c.now().Add(c.ttl)}
	if el, ok := c.items[subject]; ok {
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.items[subject] = c.order.PushFront(e)
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*cacheEntry).subject)
	}
}

// len counts the cached entries (tests).
func (c *userCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
