package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/web"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

// TestBillingPageAndDevTokens: the router serves the embedded billing page
// under /billing (index.html for client routes, hashed assets cached for
// good, the page's own CSP), and the development token endpoint exists only
// on a server that signs with the public development secret outside
// production; the token it mints is a user's (never an admin's) that the
// server accepts.
func TestBillingPageAndDevTokens(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	svc := domain.NewService(dbtest.SQLite(t), domain.Config{})
	dev := Config{Common: Common{DevSecret: true, JWTSecret: []byte(DevJWTSecret), JWTMaxTTL: 24 * time.Hour}}
	if devTokens(Config{Common: Common{Production: true, JWTSecret: []byte(DevJWTSecret), JWTMaxTTL: time.Hour}}, logger) != nil {
		t.Error("production mounts the development token endpoint")
	}
	if devTokens(Config{Common: Common{JWTSecret: []byte(strings.Repeat("k7#", 16)), JWTMaxTTL: time.Hour}}, logger) != nil {
		t.Error("a server with its own TALLY_JWT_SECRET mounts the development token endpoint")
	}
	for _, withDev := range []bool{true, false} {
		rt := routes{
			graphql: graph.NewHandler(svc, graph.Options{Logger: logger}),
			auth:    func(next http.Handler) http.Handler { return next },
			streams: newStreams(logger),
			ready:   http.NotFoundHandler(),
			logger:  logger,
			billing: web.Handler(),
		}
		if withDev {
			rt.devToken = devTokens(dev, logger)
		}
		h := router(rt)
		do := func(method, path, body string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
			return rec
		}

		page := do(http.MethodGet, "/billing/orders", "")
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `<div id="app">`) {
			t.Fatalf("GET /billing/orders: %d %q", page.Code, page.Body.String())
		}
		for k, want := range map[string]string{
			"Cache-Control": "no-cache", "Content-Security-Policy": web.ContentSecurityPolicy,
			"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
		} {
			if got := page.Header().Get(k); got != want {
				t.Errorf("/billing/orders %s = %q, want %q", k, got, want)
			}
		}
		script := regexp.MustCompile(`src="(/billing/assets/[^"]+\.js)"`).FindStringSubmatch(page.Body.String())
		if script == nil {
			t.Fatalf("index.html names no script")
		}
		if asset := do(http.MethodGet, script[1], ""); asset.Code != http.StatusOK || asset.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d, Cache-Control %q", script[1], asset.Code, asset.Header().Get("Cache-Control"))
		}

		mint := do(http.MethodPost, devTokenPath, `{"email":"ada@example.com","name":"Ada"}`)
		if !withDev {
			if mint.Code != http.StatusMethodNotAllowed && mint.Code != http.StatusNotFound {
				t.Errorf("without the endpoint, POST %s answered %d", devTokenPath, mint.Code)
			}
			continue
		}
		if mint.Code != http.StatusOK {
			t.Fatalf("POST %s: %d %s", devTokenPath, mint.Code, mint.Body.String())
		}
		var got struct{ Token string }
		if err := json.Unmarshal(mint.Body.Bytes(), &got); err != nil || got.Token == "" {
			t.Fatalf("POST %s: %s (%v)", devTokenPath, mint.Body.String(), err)
		}
		authn, err := auth.New(context.Background(), auth.Config{HS256Secret: dev.JWTSecret, MaxTTL: dev.JWTMaxTTL, Logger: logger}, svc)
		if err != nil {
			t.Fatal(err)
		}
		cred, err := authn.Verify(context.Background(), "Bearer "+got.Token)
		if err != nil {
			t.Fatalf("the minted token is refused: %v", err)
		}
		if cred.Actor.UserID == "" || cred.Actor.Email != "ada@example.com" || cred.Actor.PlatformAdmin {
			t.Errorf("minted token's actor = %+v, want ada, not an admin", cred.Actor)
		}
		if ttl := time.Until(cred.Expires); ttl > devTokenTTL+time.Minute {
			t.Errorf("minted token lives %s, want at most %s", ttl, devTokenTTL)
		}

		for _, tc := range []struct{ method, body string }{
			{http.MethodPost, `{"email":"not an address"}`},
			{http.MethodPost, `{"email":"ada@example.com","admin":true}`},
			{http.MethodPost, `[`},
		} {
			if rec := do(tc.method, devTokenPath, tc.body); rec.Code != http.StatusBadRequest {
				t.Errorf("%s %s %s: %d, want 400", tc.method, devTokenPath, tc.body, rec.Code)
			}
		}
	}
}
