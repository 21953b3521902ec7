package ratelimit

import (
	"context"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/tallyhq/tally/domain"
)

// Counter stores Shared's windows, one row per key and window, where every
// instance sees them; *db.DB implements it on PostgreSQL and SQLite.
type Counter interface {
	// HitRateWindow adds one to key's count in the window that starts at
	// start (creating it at 1, to be purged after expires) and returns the
	// new count, in one atomic statement.
	HitRateWindow(ctx context.Context, key string, start, expires time.Time) (int64, error)
	// RateWindowCount returns key's count in the window that starts at
	// start; 0 when there is none.
	RateWindowCount(ctx context.Context, key string, start time.Time) (int64, error)
	// PurgeRateWindows deletes up to limit windows that expired before
	// before and returns how many it deleted.
	PurgeRateWindows(ctx context.Context, before time.Time, limit int) (int, error)
}

// Shared counts attempts per key in fixed windows (aligned to the epoch,
// so every instance agrees on them) stored through a Counter: a budget
// holds across all instances on one database. Once a key is over its
// limit, this instance refuses it from memory until the window ends,
// without asking the database again. A fixed window lets a client spend up
// to twice the limit across a window boundary; that is acceptable for the
// strict, rare paths it serves. Safe for concurrent use.
type Shared struct {
	store Counter
	now   func() time.Time
	// blocked maps keys over their limit to the end of their window.
	blocked *lru.Cache[string, time.Time]
}

var _ domain.Throttle = (*Shared)(nil)

// NewShared returns a Shared over store that remembers up to size refused
// keys locally (DefaultKeys when 0).
func NewShared(store Counter, size int) *Shared {
	if size <= 0 {
		size = DefaultKeys
	}
	blocked, err := lru.New[string, time.Time](size)
	if err != nil {
		panic(err) // only for a size <= 0, excluded above
	}
	return &Shared{store: store, now: time.Now, blocked: blocked}
}

// window returns the start and end of the window of length d holding now.
func window(now time.Time, d time.Duration) (start, end time.Time) {
	start = now.Truncate(d)
	return start, start.Add(d)
}

// Blocked reports, from memory only, whether key was refused in a window
// that has not ended, and for how long it still is.
func (s *Shared) Blocked(key string) (retryAfter time.Duration, blocked bool) {
	if s.blocked.Len() == 0 {
		return 0, false
	}
	until, ok := s.blocked.Get(key)
	if !ok {
		return 0, false
	}
	now := s.now()
	if !now.Before(until) {
		s.blocked.Remove(key)
		return 0, false
	}
	return until.Sub(now), true
}

// Hit implements domain.Throttle: it counts one attempt on key in the
// current window of length period and reports whether the count is within
// limit; over it, the key is refused from memory until the window ends.
func (s *Shared) Hit(ctx context.Context, key string, limit int, period time.Duration) (bool, time.Duration, error) {
	if wait, blocked := s.Blocked(key); blocked {
		return false, wait, nil
	}
	now := s.now()
	start, end := window(now, period)
	n, err := s.store.HitRateWindow(ctx, key, start, end)
	if err != nil {
		return false, 0, err
	}
	if n > int64(limit) {
		s.blocked.Add(key, end)
		return false, end.Sub(now), nil
	}
	return true, 0, nil
}

// Check implements domain.Throttle: it reports, without counting, whether
// one more Hit on key would be within limit.
func (s *Shared) Check(ctx context.Context, key string, limit int, period time.Duration) (bool, time.Duration, error) {
	if wait, blocked := s.Blocked(key); blocked {
		return false, wait, nil
	}
	now := s.now()
	start, end := window(now, period)
	n, err := s.store.RateWindowCount(ctx, key, start)
	if err != nil {
		return false, 0, err
	}
	if n >= int64(limit) {
		s.blocked.Add(key, end)
		return false, end.Sub(now), nil
	}
	return true, 0, nil
}

// Purge deletes up to limit windows that have ended and returns how many
// it deleted (for the housekeeping loop; safe on many instances at once).
func (s *Shared) Purge(ctx context.Context, limit int) (int, error) {
	return s.store.PurgeRateWindows(ctx, s.now(), limit)
}
