package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/graphiql"
)

func TestRequestDeadlineAndHeaders(t *testing.T) {
	tests := []struct {
		name      string
		websocket bool
		hsts      bool
	}{
		{"plain request", false, false},
		{"behind https", false, true},
		{"websocket upgrade", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var deadline bool
			h := securityHeaders(tc.hsts)(requestDeadline(time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, deadline = r.Context().Deadline()
			})))
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tc.websocket {
				req.Header.Set("Upgrade", "websocket")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if deadline == tc.websocket {
				t.Errorf("deadline %v for a websocket=%v request", deadline, tc.websocket)
			}
			for _, k := range []string{"X-Content-Type-Options", "Cache-Control", "X-Frame-Options", "Referrer-Policy"} {
				if rec.Header().Get(k) == "" {
					t.Errorf("no %s", k)
				}
			}
			if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tc.hsts {
				t.Errorf("HSTS %v, want %v", got, tc.hsts)
			}
		})
	}
}

// TestGraphiQLFromTheBinary: outside production the GraphiQL page and its
// assets come from the binary with their content types, behind the same
// security headers as every response; the page adds its
// Content-Security-Policy. Production serves neither.
func TestGraphiQLFromTheBinary(t *testing.T) {
	tests := []struct {
		path        string
		graphiql    bool
		status      int
		contentType string
		csp         bool
	}{
		{"/", true, http.StatusOK, "text/html; charset=utf-8", true},
		{"/graphiql/graphiql.min.js", true, http.StatusOK, "text/javascript; charset=utf-8", false},
		{"/graphiql/react.production.min.js", true, http.StatusOK, "text/javascript; charset=utf-8", false},
		{"/graphiql/react-dom.production.min.js", true, http.StatusOK, "text/javascript; charset=utf-8", false},
		{"/graphiql/graphiql.min.css", true, http.StatusOK, "text/css; charset=utf-8", false},
		{"/graphiql/tally.js", true, http.StatusOK, "text/javascript; charset=utf-8", false},
		{"/graphiql/VERSIONS", true, http.StatusNotFound, "", false},
		{"/", false, http.StatusNotFound, "", false},
		{"/graphiql/graphiql.min.js", false, http.StatusNotFound, "", false},
	}
	logger := slog.New(slog.DiscardHandler)
	gql := graph.NewHandler(domain.NewService(dbtest.SQLite(t), domain.Config{}), graph.Options{Logger: logger})
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s graphiql=%v", tc.path, tc.graphiql), func(t *testing.T) {
			h := router(routes{
				graphql:  gql,
				auth:     func(next http.Handler) http.Handler { return next },
				streams:  newStreams(logger),
				ready:    http.NotFoundHandler(),
				graphiql: tc.graphiql,
				logger:   logger,
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.contentType != "" && rec.Header().Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), tc.contentType)
			}
			for k, want := range map[string]string{
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
			} {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if got := rec.Header().Get("Content-Security-Policy"); (got == graphiql.ContentSecurityPolicy) != tc.csp {
				t.Errorf("Content-Security-Policy = %q", got)
			}
		})
	}
}

// TestRefuseWhileDraining: once shutdown began, a new request is answered
// 503 UNAVAILABLE with Retry-After and its connection closed, whatever
// the route; the probes still answer.
func TestRefuseWhileDraining(t *testing.T) {
	var draining atomic.Bool
	h := router(routes{
		graphql:  graph.NewHandler(domain.NewService(dbtest.SQLite(t), domain.Config{}), graph.Options{}),
		auth:     func(next http.Handler) http.Handler { return next },
		streams:  newStreams(slog.New(slog.DiscardHandler)),
		ready:    http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }),
		logger:   slog.New(slog.DiscardHandler),
		draining: draining.Load,
	})
	tests := []struct {
		name, method, path string
		draining           bool
		status             int
	}{
		{"graphql before shutdown", http.MethodPost, "/graphql", false, http.StatusOK},
		{"graphql while draining", http.MethodPost, "/graphql", true, http.StatusServiceUnavailable},
		{"healthz while draining", http.MethodGet, "/healthz", true, http.StatusOK},
		{"readyz while draining", http.MethodGet, "/readyz", true, http.StatusTeapot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			draining.Store(tt.draining)
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != http.StatusServiceUnavailable {
				return
			}
			if rec.Header().Get("Retry-After") != "1" || rec.Header().Get("Connection") != "close" ||
				!strings.Contains(rec.Body.String(), `"code":"UNAVAILABLE"`) {
				t.Fatalf("headers %v body %s: want UNAVAILABLE, Retry-After 1, Connection: close", rec.Header(), rec.Body)
			}
		})
	}
}
