package main

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/ratelimit"
)

// RateLimitOptions configure the rate limits (embedded in ServeCmd). The
// request rates are per instance: with N instances a client may get up to
// N times them (a shared bucket would cost a database round trip on every
// request, debits included). The failed-authentication and purchase
// budgets are shared by every instance on the database.
type RateLimitOptions struct {
	RateLimit      bool     `name:"rate-limit" env:"TALLY_RATE_LIMIT" default:"true" negatable:"" help:"Rate limiting; turn it off only for tests."`
	TrustedProxies []string `name:"trusted-proxies" env:"TALLY_TRUSTED_PROXIES" sep:"," help:"Comma-separated CIDR ranges or addresses of the reverse proxies whose X-Forwarded-For / X-Real-IP name the client (headers from any other peer are ignored)."`

	AnonymousRate  float64 `name:"rate-limit-anonymous" env:"TALLY_RATE_LIMIT_ANONYMOUS" default:"10" help:"Requests per second per client IP without credentials (IPv6: per /64), per instance."`
	AnonymousBurst int     `name:"rate-limit-anonymous-burst" env:"TALLY_RATE_LIMIT_ANONYMOUS_BURST" default:"40" help:"Burst of requests per client IP without credentials."`
	UserRate       float64 `name:"rate-limit-user" env:"TALLY_RATE_LIMIT_USER" default:"20" help:"Requests per second per signed-in user, per instance."`
	UserBurst      int     `name:"rate-limit-user-burst" env:"TALLY_RATE_LIMIT_USER_BURST" default:"60" help:"Burst of requests per signed-in user."`
	APIKeyRate     float64 `name:"rate-limit-api-key" env:"TALLY_RATE_LIMIT_API_KEY" default:"10000" help:"Requests per second per API key, per instance."`
	APIKeyBurst    int     `name:"rate-limit-api-key-burst" env:"TALLY_RATE_LIMIT_API_KEY_BURST" default:"20000" help:"Burst of requests per API key."`

	AuthFailures      int           `name:"rate-limit-auth-failures" env:"TALLY_RATE_LIMIT_AUTH_FAILURES" default:"20" help:"Failed authentications per client IP per window (all instances) before its credentials are refused unchecked."`
	AuthFailureWindow time.Duration `name:"rate-limit-auth-window" env:"TALLY_RATE_LIMIT_AUTH_WINDOW" default:"10m" help:"Window of the failed-authentication budget."`

	PurchasesPerOrg  int           `name:"rate-limit-purchases-org" env:"TALLY_RATE_LIMIT_PURCHASES_ORG" default:"10" help:"purchasePack and addPaymentMethod attempts per org per purchase window (all instances)."`
	PurchasesPerUser int           `name:"rate-limit-purchases-user" env:"TALLY_RATE_LIMIT_PURCHASES_USER" default:"20" help:"purchasePack and addPaymentMethod attempts per user, over all orgs, per purchase window."`
	DeclinesPerOrg   int           `name:"rate-limit-declines-org" env:"TALLY_RATE_LIMIT_DECLINES_ORG" default:"5" help:"Declined payments (and cards refused while saving) of an org after which its purchases and saves are refused until the purchase window ends."`
	PurchaseWindow   time.Duration `name:"rate-limit-purchase-window" env:"TALLY_RATE_LIMIT_PURCHASE_WINDOW" default:"1h" help:"Window of the purchase and decline budgets."`
}

// normalized drops blanks around and between the trusted proxies.
func (o RateLimitOptions) normalized() RateLimitOptions {
	var proxies []string
	for _, p := range o.TrustedProxies {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	o.TrustedProxies = proxies
	return o
}

// validate checks the limits.
func (o RateLimitOptions) validate() error {
	if _, err := ratelimit.NewClientIPs(o.TrustedProxies); err != nil {
		return errors.New("TALLY_TRUSTED_PROXIES: " + err.Error())
	}
	checks := []struct {
		ok  bool
		msg string
	}{
		{o.AnonymousRate > 0, "TALLY_RATE_LIMIT_ANONYMOUS must be positive"},
		{o.AnonymousBurst >= 1, "TALLY_RATE_LIMIT_ANONYMOUS_BURST must be at least 1"},
		{o.UserRate > 0, "TALLY_RATE_LIMIT_USER must be positive"},
		{o.UserBurst >= 1, "TALLY_RATE_LIMIT_USER_BURST must be at least 1"},
		{o.APIKeyRate > 0, "TALLY_RATE_LIMIT_API_KEY must be positive"},
		{o.APIKeyBurst >= 1, "TALLY_RATE_LIMIT_API_KEY_BURST must be at least 1"},
		{o.AuthFailures >= 1, "TALLY_RATE_LIMIT_AUTH_FAILURES must be at least 1"},
		{o.AuthFailureWindow >= time.Second, "TALLY_RATE_LIMIT_AUTH_WINDOW must be at least 1s"},
		{o.PurchasesPerOrg >= 1, "TALLY_RATE_LIMIT_PURCHASES_ORG must be at least 1"},
		{o.PurchasesPerUser >= 1, "TALLY_RATE_LIMIT_PURCHASES_USER must be at least 1"},
		{o.DeclinesPerOrg >= 1, "TALLY_RATE_LIMIT_DECLINES_ORG must be at least 1"},
		{o.PurchaseWindow >= time.Second, "TALLY_RATE_LIMIT_PURCHASE_WINDOW must be at least 1s"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return errors.New(ch.msg)
		}
	}
	return nil
}

// rateLimits are the wired limits: the HTTP limiter and the purchase
// throttle; both nil when limiting is off.
type rateLimits struct {
	http     *ratelimit.Limiter
	throttle domain.Option // nil: purchases are not limited
}

// newRateLimits builds the limits of o (already validated) over the
// shared rate windows in store.
func newRateLimits(o RateLimitOptions, store ratelimit.Counter, logger *slog.Logger) (rateLimits, error) {
	if !o.RateLimit {
		logger.Warn("rate limiting is off (TALLY_RATE_LIMIT=false): do not expose this server")
		return rateLimits{}, nil
	}
	ips, err := ratelimit.NewClientIPs(o.TrustedProxies)
	if err != nil {
		return rateLimits{}, errors.New("TALLY_TRUSTED_PROXIES: " + err.Error())
	}
	l := ratelimit.New(ratelimit.Config{
		Anonymous:    ratelimit.Rate{PerSecond: o.AnonymousRate, Burst: o.AnonymousBurst},
		User:         ratelimit.Rate{PerSecond: o.UserRate, Burst: o.UserBurst},
		APIKey:       ratelimit.Rate{PerSecond: o.APIKeyRate, Burst: o.APIKeyBurst},
		AuthFailures: ratelimit.Budget{Limit: o.AuthFailures, Window: o.AuthFailureWindow},
	}, ips, store, logger)
	throttle := domain.WithThrottle(ratelimit.NewShared(store, 0), domain.PurchaseLimits{
		Window: o.PurchaseWindow, PerOrg: o.PurchasesPerOrg, PerUser: o.PurchasesPerUser, DeclinesPerOrg: o.DeclinesPerOrg,
	})
	if len(o.TrustedProxies) == 0 {
		logger.Info("rate limits key anonymous clients by their peer address; behind a proxy set TALLY_TRUSTED_PROXIES")
	} else {
		logger.Info("trusted proxies", "ranges", strings.Join(o.TrustedProxies, ","))
	}
	return rateLimits{http: l, throttle: throttle}, nil
}

// Pin that the store implements the shared counters' contract.
var _ ratelimit.Counter = (*db.DB)(nil)
