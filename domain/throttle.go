package domain

import (
	"context"
	"time"
)

// Throttle counts attempts per key in fixed time windows shared by every
// instance of the server, for the rare paths that need a strict limit
// (purchase attempts and declined payments, against card testing). A nil
// Throttle means no such limits.
type Throttle interface {
	// Hit counts one attempt on key and reports whether the window's count
	// is still within limit; when it is not, retryAfter is the time until
	// the window ends. Errors are INTERNAL (the counter store failed).
	Hit(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
	// Check reports, without counting, whether one more Hit on key would
	// be within limit; when not, retryAfter is the time until the window
	// ends. Errors are INTERNAL.
	Check(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// PurchaseLimits bound purchasePack and addPaymentMethod attempts (see WithThrottle), so that
// the API cannot be used to test stolen cards at volume. Zero fields take
// DefaultPurchaseLimits' values.
type PurchaseLimits struct {
	// Window is the period each count covers.
	Window time.Duration
	// PerOrg is the most purchase attempts of one org per window.
	PerOrg int
	// PerUser is the most purchase attempts of one user, over all orgs, per
	// window (creating orgs does not buy more attempts).
	PerUser int
	// DeclinesPerOrg is the number of declined payments of one org in a
	// window after which its purchases are refused until the window ends.
	DeclinesPerOrg int
}

// DefaultPurchaseLimits returns 10 attempts per org and 20 per user per
// hour, and no purchase for the rest of the hour after 5 declines of an
// org.
func DefaultPurchaseLimits() PurchaseLimits {
	return PurchaseLimits{Window: time.Hour, PerOrg: 10, PerUser: 20, DeclinesPerOrg: 5}
}

func (l PurchaseLimits) withDefaults() PurchaseLimits {
	d := DefaultPurchaseLimits()
	if l.Window <= 0 {
		l.Window = d.Window
	}
	if l.PerOrg <= 0 {
		l.PerOrg = d.PerOrg
	}
	if l.PerUser <= 0 {
		l.PerUser = d.PerUser
	}
	if l.DeclinesPerOrg <= 0 {
		l.DeclinesPerOrg = d.DeclinesPerOrg
	}
	return l
}

// WithThrottle limits purchase attempts and declines to limits (zero
// fields: DefaultPurchaseLimits'), counted by t.
func WithThrottle(t Throttle, limits PurchaseLimits) Option {
	return func(s *Service) { s.throttle, s.limits = t, limits.withDefaults() }
}

// Throttle keys. They are shared by every instance, so they must not change
// between versions running side by side.
const (
	throttleDeclinesOrg  = "declines:org:"
	throttlePurchasesOrg = "purchases:org:"
	throttlePurchaseUser = "purchases:user:"
)

// throttlePurchase counts one purchase attempt of the actor for org and
// refuses it with RATE_LIMITED when the org has had too many declines or
// attempts, or the user too many attempts, in the current window. It runs
// before any order is written or gateway called.
func (s *Service) throttlePurchase(ctx context.Context, orgID string, a Actor) error {
	if s.throttle == nil {
		return nil
	}
	l := s.limits
	ok, wait, err := s.throttle.Check(ctx, throttleDeclinesOrg+orgID, l.DeclinesPerOrg, l.Window)
	if err != nil {
		return Internal(err)
	}
	if !ok {
		return RateLimited(wait, "too many declined payments for this org; try again later")
	}
	keys := []struct {
		key   string
		limit int
	}{
		{throttlePurchasesOrg + orgID, l.PerOrg},
		{throttlePurchaseUser + a.ID(), l.PerUser},
	}
	for _, k := range keys {
		ok, wait, err := s.throttle.Hit(ctx, k.key, k.limit, l.Window)
		if err != nil {
			return Internal(err)
		}
		if !ok {
			return RateLimited(wait, "too many purchase attempts; try again later")
		}
	}
	return nil
}

// countDecline records an org's declined payment for throttlePurchase.
// It runs after the decline is committed; a failing counter loses the
// count rather than the decline.
func (s *Service) countDecline(ctx context.Context, orgID string) {
	if s.throttle == nil {
		return
	}
	_, _, _ = s.throttle.Hit(context.WithoutCancel(ctx), throttleDeclinesOrg+orgID, s.limits.DeclinesPerOrg, s.limits.Window)
}
