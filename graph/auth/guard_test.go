package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/ratelimit"
)

// countingUsers counts the API key lookups (the database round trips a
// credential check costs).
type countingUsers struct {
	*fakeUsers
	lookups atomic.Int64
}

func (c *countingUsers) AuthenticateAPIKey(ctx context.Context, secret string) (domain.Actor, error) {
	c.lookups.Add(1)
	return c.fakeUsers.AuthenticateAPIKey(ctx, secret)
}

// TestFailedAuthenticationBudget: with the ratelimit guard, each client IP
// has a budget of failed authentications (3 here). The failure that uses it
// up and every credential after it, good or bad, over HTTP or in a
// websocket's connection_init, is refused with RATE_LIMITED (429,
// Retry-After) without being checked; other clients, anonymous requests,
// and expired tokens the server signed itself are not affected.
func TestFailedAuthenticationBudget(t *testing.T) {
	t.Parallel()
	ips, err := ratelimit.NewClientIPs(nil)
	if err != nil {
		t.Fatal(err)
	}
	limits := ratelimit.New(ratelimit.Config{AuthFailures: ratelimit.Budget{Limit: 3, Window: 10 * time.Minute}}, ips, dbtest.SQLite(t), nil)
	users := &countingUsers{fakeUsers: newFakeUsers()}
	a := newAuth(t, Config{HS256Secret: testSecret, Guard: limits.AuthGuard()}, users)
	h := limits.ClientIP(a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))

	expired := sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }))
	forged := sign(t, jwt.SigningMethodHS256, []byte("another-secret-0123456789abcdef-xx"), "", claims(nil))
	steps := []struct {
		name, remote, header, value string
		want                        int
		lookups                     int64 // API key lookups so far
	}{
		{"expired token, signed here: not counted", "203.0.113.1:1", "Authorization", "Bearer " + expired, 401, 0},
		{"expired again", "203.0.113.1:1", "Authorization", "Bearer " + expired, 401, 0},
		{"expired again", "203.0.113.1:1", "Authorization", "Bearer " + expired, 401, 0},
		{"expired again", "203.0.113.1:1", "Authorization", "Bearer " + expired, 401, 0},
		{"bad key 1", "203.0.113.1:1", "X-Api-Key", "tly_bad1", 401, 1},
		{"forged token 2", "203.0.113.1:2", "Authorization", "Bearer " + forged, 401, 1},
		{"malformed X-Api-Key 3", "203.0.113.1:3", "X-Api-Key", "nope", 401, 1},
		{"bad key 4: over the budget", "203.0.113.1:4", "Authorization", "Bearer tly_bad4", 429, 2},
		{"good key: refused unchecked", "203.0.113.1:5", "X-Api-Key", goodKey, 429, 2},
		{"bad key: refused unchecked", "203.0.113.1:5", "X-Api-Key", "tly_bad5", 429, 2},
		{"anonymous: not authentication's business", "203.0.113.1:6", "", "", 204, 2},
		{"another client: good key", "203.0.113.2:1", "X-Api-Key", goodKey, 204, 3},
		{"another client: bad key", "203.0.113.2:1", "X-Api-Key", "tly_bad", 401, 4},
	}
	for i, s := range steps {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = s.remote
		if s.header != "" {
			r.Header.Set(s.header, s.value)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != s.want || users.lookups.Load() != s.lookups {
			t.Fatalf("step %d (%s): status %d after %d lookups, want %d after %d\n%s",
				i, s.name, w.Code, users.lookups.Load(), s.want, s.lookups, w.Body)
		}
		if w.Code != http.StatusTooManyRequests {
			continue
		}
		var body struct {
			Errors []struct {
				Extensions struct {
					Code       string
					RetryAfter int
				}
			}
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 ||
			body.Errors[0].Extensions.Code != "RATE_LIMITED" || body.Errors[0].Extensions.RetryAfter < 1 ||
			w.Header().Get("Retry-After") == "" {
			t.Fatalf("step %d: 429 answer %q, Retry-After %q", i, w.Body, w.Header().Get("Retry-After"))
		}
	}

	// connection_init calls Authenticate with the upgrade request's context.
	ws := ratelimit.WithClientIP(context.Background(), netip.MustParseAddr("203.0.113.1"))
	_, err = a.Authenticate(ws, "Bearer "+goodKey)
	if de, ok := err.(*domain.Error); !ok || de.Code != domain.CodeRateLimited || de.RetryAfter <= 0 {
		t.Fatalf("websocket authentication from the blocked client: %v", err)
	}
	if users.lookups.Load() != 4 {
		t.Fatal("the blocked websocket credential was checked")
	}
}
