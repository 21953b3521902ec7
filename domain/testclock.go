package domain

import (
	"context"
	"sync"
	"time"
)

// ManualClock is a Clock that moves only when told to: development and
// tests run a server on one (TALLY_TEST_CLOCK=1) to see credits expire or
// subscriptions renew without waiting. Its times are UTC truncated to
// microseconds, like SystemClock's. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock that reads start until moved.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: clockTime(start)}
}

// clockTime is t as every Clock reports it.
func clockTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (forward or back) and returns its new time.
func (c *ManualClock) Set(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = clockTime(t)
	return c.now
}

// Advance moves the clock by d and returns its new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = clockTime(c.now.Add(d))
	return c.now
}

// DueWork is work that depends on the time (expiring credits, renewing
// subscriptions): the background jobs run it on a schedule, and moving the
// test clock runs it at once.
type DueWork func(ctx context.Context) error

// testClock is a Service's manual clock and the work moving it runs.
type testClock struct {
	clock *ManualClock
	due   []DueWork
	// moving serializes moves, so each caller's due work has run for the
	// time it set before it answers.
	moving sync.Mutex
}

// WithTestClock runs the service on clock, which platform admins move
// with AdvanceTestClock; after each move due runs in order. Only
// development and test servers use it.
func WithTestClock(clock *ManualClock, due ...DueWork) Option {
	return func(s *Service) {
		s.clock = clock
		s.testClock = &testClock{clock: clock, due: due}
	}
}

// MaxTestClockStep bounds one move of the test clock.
const MaxTestClockStep = 10 * 366 * 24 * time.Hour

// TestClockMove says where AdvanceTestClock moves the clock: by a
// duration or to a time, exactly one of them.
type TestClockMove struct {
	By *time.Duration
	To *time.Time
}

// TestClockNow returns the test clock's time, or nil when the service
// runs on the system clock. Any signed-in caller may read it.
//
// Errors: UNAUTHENTICATED.
func (s *Service) TestClockNow(ctx context.Context) (*time.Time, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return nil, Errorf(CodeUnauthenticated, "sign in required")
	}
	if s.testClock == nil {
		return nil, nil
	}
	now := s.testClock.clock.Now()
	return &now, nil
}

// AdvanceTestClock moves the test clock forward, by a duration or to a
// time, then runs the due work (expiry, and whatever else was registered
// with WithTestClock) before returning the clock's new time, so the caller
// sees its effects at once. The clock never moves back: what the ledger
// recorded stays in the past. A server without a test clock answers
// NOT_FOUND, as for an operation that does not exist there.
//
// Errors: UNAUTHENTICATED, FORBIDDEN (not a platform admin), NOT_FOUND
// (no test clock), INVALID_INPUT (neither or both of by and to, a
// negative or too large step, a time in the past), INTERNAL (due work
// failed; the clock stays moved).
func (s *Service) AdvanceTestClock(ctx context.Context, move TestClockMove) (time.Time, error) {
	if _, err := requirePlatformAdmin(ctx); err != nil {
		return time.Time{}, err
	}
	tc := s.testClock
	if tc == nil {
		return time.Time{}, Errorf(CodeNotFound, "the test clock is off (TALLY_TEST_CLOCK=1 outside production turns it on)")
	}
	if (move.By == nil) == (move.To == nil) {
		return time.Time{}, InvalidInput("by", "give exactly one of by and to")
	}
	tc.moving.Lock()
	defer tc.moving.Unlock()
	now := tc.clock.Now()
	var target time.Time
	switch {
	case move.By != nil:
		if *move.By < 0 || *move.By > MaxTestClockStep {
			return time.Time{}, InvalidInput("by", "must be between 0 and %s", MaxTestClockStep)
		}
		target = now.Add(*move.By)
	default:
		to := clockTime(*move.To)
		if to.Before(now) {
			return time.Time{}, InvalidInput("to", "must not be before the clock's time %s", now.Format(time.RFC3339Nano))
		}
		if to.Sub(now) > MaxTestClockStep {
			return time.Time{}, InvalidInput("to", "must be within %s of the clock's time", MaxTestClockStep)
		}
		target = to
	}
	at := tc.clock.Set(target)
	for _, run := range tc.due {
		if err := run(ctx); err != nil {
			return time.Time{}, asDomainError(err)
		}
	}
	return at, nil
}
