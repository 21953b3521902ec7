package ratelimit

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/httperror"
)

// Rate is a token bucket: it refills at PerSecond tokens a second and holds
// at most Burst; a request takes one token.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Budget is a count allowed per fixed window.
type Budget struct {
	Limit  int
	Window time.Duration
}

// Config sets a Limiter's limits.
type Config struct {
	// Anonymous limits requests without credentials, per client IP (IPv6:
	// per /64).
	Anonymous Rate
	// User limits a signed-in user's requests (an SPA).
	User Rate
	// APIKey limits an API key's requests: a product backend calling for
	// all its end users, so it is high.
	APIKey Rate
	// AuthFailures is the budget of failed authentications per client IP,
	// shared by every instance. Over it, requests with credentials from
	// that IP are refused without checking them until the window ends.
	AuthFailures Budget
	// Keys is how many principals or addresses each limit remembers
	// (DefaultKeys when 0).
	Keys int
}

// DefaultConfig returns the defaults: 10 requests/s (burst 40) per
// anonymous IP, 20/s (burst 60) per user, 10,000/s (burst 20,000) per API
// key, 20 failed authentications per IP per 10 minutes.
func DefaultConfig() Config {
	return Config{
		Anonymous:    Rate{PerSecond: 10, Burst: 40},
		User:         Rate{PerSecond: 20, Burst: 60},
		APIKey:       Rate{PerSecond: 10_000, Burst: 20_000},
		AuthFailures: Budget{Limit: 20, Window: 10 * time.Minute},
	}
}

// Limiter applies Config to the API's requests. The request rates are per
// instance (see Local); the failed-authentication budget is shared (see
// Shared). A nil *Limiter limits nothing, so a server with limits off
// wires the same way. Safe for concurrent use.
type Limiter struct {
	ips              *ClientIPs
	anon, user, keys *Local
	guard            *AuthGuard
}

// New returns a Limiter of cfg that finds clients with ips and keeps the
// failed-authentication counts in store. Fields of cfg that are zero take
// DefaultConfig's values.
func New(cfg Config, ips *ClientIPs, store Counter, logger *slog.Logger) *Limiter {
	d := DefaultConfig()
	orDefault := func(r, def Rate) Rate {
		if r.PerSecond <= 0 || r.Burst <= 0 {
			return def
		}
		return r
	}
	cfg.Anonymous = orDefault(cfg.Anonymous, d.Anonymous)
	cfg.User = orDefault(cfg.User, d.User)
	cfg.APIKey = orDefault(cfg.APIKey, d.APIKey)
	if cfg.AuthFailures.Limit <= 0 || cfg.AuthFailures.Window <= 0 {
		cfg.AuthFailures = d.AuthFailures
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Limiter{
		ips:  ips,
		anon: NewLocal(cfg.Anonymous.PerSecond, cfg.Anonymous.Burst, cfg.Keys),
		user: NewLocal(cfg.User.PerSecond, cfg.User.Burst, cfg.Keys),
		keys: NewLocal(cfg.APIKey.PerSecond, cfg.APIKey.Burst, cfg.Keys),
		guard: &AuthGuard{
			shared: NewShared(store, cfg.Keys), budget: cfg.AuthFailures,
			logger: logger.With("component", "ratelimit"),
		},
	}
}

// Error is the RATE_LIMITED error of a refused request.
func Error(retryAfter time.Duration) *domain.Error {
	return domain.RateLimited(retryAfter, "too many requests; retry after extensions.retryAfter seconds")
}

// ClientIP is the middleware that puts the client's address (ClientIPs) in
// the request context, for the limits and the AuthGuard. It runs before
// authentication.
func (l *Limiter) ClientIP(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip, ok := l.ips.Of(r); ok {
			r = r.WithContext(WithClientIP(r.Context(), ip))
		}
		next.ServeHTTP(w, r)
	})
}

// Requests is the middleware that limits requests per principal (after
// authentication put the actor in the context) or, for anonymous ones, per
// client IP, and answers those over the limit with HTTP 429, Retry-After
// and a RATE_LIMITED error. A websocket upgrade counts as one request; its
// operations are limited with Allow. CORS preflights (OPTIONS) are not
// counted: they carry no credentials, cost nothing, and counting them per
// IP would throttle the signed-in users of an office behind one address.
func (l *Limiter) Requests(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		ip, _ := ClientIPFrom(r.Context())
		if ok, wait := l.Allow(r.Context(), ip); !ok {
			httperror.Write(w, http.StatusTooManyRequests, Error(wait))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Allow takes one request from the budget of ctx's actor (API key or user)
// or, for an anonymous caller, of ip, and reports whether it was within
// it; when not, retryAfter says when to try again (see Error). An anonymous
// caller without a valid ip is not limited. A nil Limiter allows all.
func (l *Limiter) Allow(ctx context.Context, ip netip.Addr) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	if a, signedIn := domain.ActorFrom(ctx); signedIn {
		if a.APIKeyID != "" {
			return l.keys.Allow(a.APIKeyID)
		}
		return l.user.Allow(a.UserID)
	}
	if !ip.IsValid() {
		return true, 0
	}
	return l.anon.Allow(clientKey(ip).String())
}

// AllowContext is Allow for the client address the ClientIP middleware put
// in ctx (a websocket connection's context keeps its upgrade request's).
func (l *Limiter) AllowContext(ctx context.Context) (ok bool, retryAfter time.Duration) {
	ip, _ := ClientIPFrom(ctx)
	return l.Allow(ctx, ip)
}

// AuthGuard returns the failed-authentication budget for the
// Authenticator (auth.Config.Guard); nil for a nil Limiter.
func (l *Limiter) AuthGuard() *AuthGuard {
	if l == nil {
		return nil
	}
	return l.guard
}

// Purge deletes the shared windows that have ended (for the housekeeping
// loop); it does nothing for a nil Limiter.
func (l *Limiter) Purge(ctx context.Context, limit int) (int, error) {
	if l == nil {
		return 0, nil
	}
	return l.guard.shared.Purge(ctx, limit)
}

// AuthGuard keeps the failed-authentication budget of each client IP
// (IPv6: /64) in a Shared, so that it holds across instances.
type AuthGuard struct {
	shared *Shared
	budget Budget
	logger *slog.Logger
}

// authFailureKey is the Shared key of a client's failures.
func authFailureKey(ip netip.Addr) string { return "authfail:ip:" + clientKey(ip).String() }

// Blocked reports, from memory only (no database round trip), whether the
// client in ctx has used up its budget in a window that has not ended.
func (g *AuthGuard) Blocked(ctx context.Context) (retryAfter time.Duration, blocked bool) {
	if g == nil || g.shared.blocked.Len() == 0 {
		return 0, false
	}
	ip, ok := ClientIPFrom(ctx)
	if !ok {
		return 0, false
	}
	return g.shared.Blocked(authFailureKey(ip))
}

// Failed counts one failed authentication of the client in ctx and
// reports whether that used up its budget. A failing counter store is
// logged and lets the client be (authentication still refuses it).
func (g *AuthGuard) Failed(ctx context.Context) (retryAfter time.Duration, blocked bool) {
	if g == nil {
		return 0, false
	}
	ip, ok := ClientIPFrom(ctx)
	if !ok {
		return 0, false
	}
	within, wait, err := g.shared.Hit(context.WithoutCancel(ctx), authFailureKey(ip), g.budget.Limit, g.budget.Window)
	if err != nil {
		g.logger.ErrorContext(ctx, "counting a failed authentication failed", "err", err)
		return 0, false
	}
	return wait, !within
}
