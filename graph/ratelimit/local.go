// Package ratelimit limits how fast clients may call the API: token
// buckets per principal or client IP held in each instance's memory
// (Local), fixed-window counters shared by every instance through the
// database for the rare paths that need a strict budget (Shared: failed
// authentications, purchase attempts), the HTTP middleware that applies
// them to /graphql, and the client IP as trusted proxies report it.
package ratelimit

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// DefaultKeys is how many keys a Local or a Shared remembers when the size
// given is 0.
const DefaultKeys = 100_000

// Local is a set of token buckets, one per key, in this instance's memory.
// The least recently used buckets are forgotten beyond its size, so memory
// stays bounded when keys rotate (an attacker's many addresses); a
// forgotten key starts again with a full bucket.
//
// It is per instance by design: a shared bucket would put a database round
// trip on every request, the debit hot path included. With N instances
// behind a balancer, a client may get up to N times the rate. Safe for
// concurrent use; Allow of a known key does not allocate.
type Local struct {
	limit   rate.Limit
	burst   int
	now     func() time.Time
	buckets *lru.Cache[string, *rate.Limiter]
}

// NewLocal returns buckets refilling at perSecond tokens a second, holding
// at most burst, for up to size keys (DefaultKeys when 0). perSecond must
// be positive and burst at least 1.
func NewLocal(perSecond float64, burst, size int) *Local {
	if size <= 0 {
		size = DefaultKeys
	}
	buckets, err := lru.New[string, *rate.Limiter](size)
	if err != nil {
		panic(err) // only for a size <= 0, excluded above
	}
	return &Local{limit: rate.Limit(perSecond), burst: max(burst, 1), now: time.Now, buckets: buckets}
}

// Allow takes a token from key's bucket. When there is none it reports
// false and how long until one is there.
func (l *Local) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	b, found := l.buckets.Get(key)
	if !found {
		fresh := rate.NewLimiter(l.limit, l.burst)
		if prev, had, _ := l.buckets.PeekOrAdd(key, fresh); had {
			b = prev
		} else {
			b = fresh
		}
	}
	if b.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - b.TokensAt(now)
	return false, time.Duration(missing / float64(l.limit) * float64(time.Second))
}
