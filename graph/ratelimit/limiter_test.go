package ratelimit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// newTestLimiter limits anonymous IPs to a burst of 2, users to 3 and API
// keys to 4 (refilling once a minute), and failed authentications to 3 per
// 10 minutes, on a fresh SQLite store.
func newTestLimiter(t *testing.T, trusted ...string) *Limiter {
	t.Helper()
	ips, err := NewClientIPs(trusted)
	if err != nil {
		t.Fatal(err)
	}
	perMinute := 1.0 / 60
	return New(Config{
		Anonymous:    Rate{PerSecond: perMinute, Burst: 2},
		User:         Rate{PerSecond: perMinute, Burst: 3},
		APIKey:       Rate{PerSecond: perMinute, Burst: 4},
		AuthFailures: Budget{Limit: 3, Window: 10 * time.Minute},
	}, ips, dbtest.SQLite(t), nil)
}

// errorBody is the GraphQL error answer.
type errorBody struct {
	Errors []struct {
		Message    string
		Extensions struct {
			Code       string
			RetryAfter int
		}
	}
}

// TestRequestsMiddleware: each principal, and each anonymous client IP,
// has its own bucket; over it the answer is 429 with Retry-After and a
// RATE_LIMITED error carrying extensions.retryAfter; spoofed forwarding
// headers do not make a new client.
func TestRequestsMiddleware(t *testing.T) {
	t.Parallel()
	l := newTestLimiter(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	// The actor stands in for the authentication middleware.
	h := l.ClientIP(withActorFromHeader(l.Requests(ok)))

	type req struct {
		remote, actor, xff string
		want               int
		method             string // POST when empty
	}
	steps := []req{
		{"203.0.113.1:1", "", "", 204, http.MethodOptions}, // preflights are not counted
		{"203.0.113.1:1", "", "", 204, http.MethodOptions},
		{"203.0.113.1:1", "", "", 204, http.MethodOptions},
		{"203.0.113.1:1", "", "", 204, ""},
		{"203.0.113.1:2", "", "9.9.9.1", 204, ""}, // spoofed XFF: still 203.0.113.1
		{"203.0.113.1:3", "", "9.9.9.2", 429, ""},
		{"203.0.113.2:1", "", "", 204, ""}, // another client
		{"203.0.113.1:4", "user:u1", "", 204, ""},
		{"203.0.113.1:4", "user:u1", "", 204, ""},
		{"203.0.113.1:4", "user:u1", "", 204, ""},
		{"203.0.113.1:4", "user:u1", "", 429, ""},
		{"203.0.113.1:4", "user:u2", "", 204, ""},
		{"203.0.113.9:4", "key:k1", "", 204, ""},
		{"203.0.113.9:4", "key:k1", "", 204, ""},
		{"203.0.113.9:4", "key:k1", "", 204, ""},
		{"203.0.113.9:4", "key:k1", "", 204, ""},
		{"203.0.113.9:4", "key:k1", "", 429, ""},
		{"[2001:db8:0:1::1]:1", "", "", 204, ""},
		{"[2001:db8:0:1::2]:1", "", "", 204, ""}, // same /64
		{"[2001:db8:0:1::3]:1", "", "", 429, ""},
	}
	for i, s := range steps {
		method := s.method
		if method == "" {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "/graphql", nil)
		r.RemoteAddr = s.remote
		r.Header.Set("X-Test-Actor", s.actor)
		if s.xff != "" {
			r.Header.Set("X-Forwarded-For", s.xff)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != s.want {
			t.Fatalf("step %d (%s %s): status %d, want %d", i, s.remote, s.actor, w.Code, s.want)
		}
		if w.Code != http.StatusTooManyRequests {
			continue
		}
		// A token a minute: the next one comes in (just under) 60 s.
		ra := w.Header().Get("Retry-After")
		if ra != "60" && ra != "59" {
			t.Fatalf("step %d: Retry-After %q, want 60", i, ra)
		}
		var body errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
			t.Fatalf("step %d: body %s (%v)", i, w.Body, err)
		}
		if e := body.Errors[0]; e.Extensions.Code != "RATE_LIMITED" || strconv.Itoa(e.Extensions.RetryAfter) != ra || e.Message == "" {
			t.Fatalf("step %d: error %+v", i, e)
		}
	}
}

// withActorFromHeader puts the actor named by X-Test-Actor ("user:ID" or
// "key:ID") in the context, as authentication would.
func withActorFromHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch v := r.Header.Get("X-Test-Actor"); {
		case len(v) > 5 && v[:5] == "user:":
			r = r.WithContext(domain.WithActor(r.Context(), domain.Actor{UserID: v[5:]}))
		case len(v) > 4 && v[:4] == "key:":
			r = r.WithContext(domain.WithActor(r.Context(), domain.Actor{APIKeyID: v[4:], APIKeyOrgID: "o"}))
		}
		next.ServeHTTP(w, r)
	})
}

// TestAllow is what websocket operations use: the actor's budget, else the
// IP's; no IP and no actor is not limited; a nil Limiter allows all.
func TestAllow(t *testing.T) {
	t.Parallel()
	l := newTestLimiter(t)
	user := domain.WithActor(context.Background(), domain.Actor{UserID: "u"})
	ip := netip.MustParseAddr("198.51.100.4")
	for i := range 3 {
		if ok, _ := l.Allow(user, ip); !ok {
			t.Fatalf("user request %d refused", i)
		}
	}
	if ok, wait := l.Allow(user, ip); ok || wait <= 0 {
		t.Fatalf("4th user request: %v, %s", ok, wait)
	}
	if ok, _ := l.Allow(context.Background(), ip); !ok {
		t.Fatal("the IP's own budget was spent by the user's requests")
	}
	// A websocket's context carries its upgrade request's address.
	ws := WithClientIP(context.Background(), ip)
	if ok, _ := l.AllowContext(ws); !ok {
		t.Fatal("second anonymous request of the IP refused")
	}
	if ok, wait := l.AllowContext(ws); ok || wait <= 0 {
		t.Fatalf("third anonymous request of the IP (burst 2): %v, %s", ok, wait)
	}
	for range 10 {
		if ok, _ := l.Allow(context.Background(), netip.Addr{}); !ok {
			t.Fatal("an anonymous caller without an address was limited")
		}
	}
	var none *Limiter
	if ok, _ := none.Allow(user, ip); !ok {
		t.Fatal("a nil Limiter refused")
	}
	if none.ClientIP(nil) != nil || none.Requests(nil) != nil || none.AuthGuard() != nil {
		t.Fatal("a nil Limiter wrapped handlers")
	}
}

// TestAuthGuard: failures are counted per client IP (IPv6 /64); the one
// over the budget blocks that client, known from memory, and nobody else.
func TestAuthGuard(t *testing.T) {
	t.Parallel()
	g := newTestLimiter(t).AuthGuard()
	client := WithClientIP(context.Background(), netip.MustParseAddr("2001:db8:0:7::1"))
	sameNet := WithClientIP(context.Background(), netip.MustParseAddr("2001:db8:0:7::2"))
	other := WithClientIP(context.Background(), netip.MustParseAddr("198.51.100.1"))
	for i := range 3 {
		if _, blocked := g.Failed(client); blocked {
			t.Fatalf("failure %d blocked", i+1)
		}
	}
	if _, blocked := g.Blocked(client); blocked {
		t.Fatal("blocked within the budget")
	}
	wait, blocked := g.Failed(sameNet)
	if !blocked || wait <= 0 || wait > 10*time.Minute {
		t.Fatalf("4th failure from the /64: blocked %v for %s", blocked, wait)
	}
	if _, blocked := g.Blocked(client); !blocked {
		t.Fatal("the client is not blocked after its budget")
	}
	if _, blocked := g.Blocked(other); blocked {
		t.Fatal("another client is blocked")
	}
	if _, blocked := g.Failed(context.Background()); blocked {
		t.Fatal("a failure without a client IP blocked")
	}
}

// BenchmarkRequestPath is what the limits add to every API-key request
// (a debit): the client IP in the context, the guard's check and the
// bucket, around a stand-in for authentication that puts the actor in the
// context as the real one does.
func BenchmarkRequestPath(b *testing.B) {
	ips, _ := NewClientIPs(nil)
	// A rate no loop reaches: this measures the allowed path.
	l := New(Config{APIKey: Rate{PerSecond: 1e12, Burst: 1e9}}, ips, dbtest.SQLite(b), nil)
	guard := l.AuthGuard()
	actor := domain.Actor{APIKeyID: "0190f3b4-0000-7000-8000-000000000000", APIKeyOrgID: "o"}
	inner := l.Requests(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	h := l.ClientIP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, blocked := guard.Blocked(r.Context()); blocked {
			b.Fatal("blocked")
		}
		inner.ServeHTTP(w, r.WithContext(domain.WithActor(r.Context(), actor)))
	}))
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.RemoteAddr = "203.0.113.1:5555"
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
	if w.Code != http.StatusOK {
		b.Fatalf("status %d", w.Code)
	}
}
