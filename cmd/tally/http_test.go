package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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
