package httperror

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// TestWrite: one GraphQL error with the code, the field of INVALID_INPUT,
// retryAfter (and the Retry-After header) of RATE_LIMITED, and never the
// message or cause of INTERNAL.
func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		err        *domain.Error
		message    string
		extensions map[string]any
		retryAfter string
	}{
		{"invalid input", 415, &domain.Error{Code: domain.CodeInvalidInput, Message: "Content-Type must be application/json", Field: "Content-Type"},
			"Content-Type must be application/json", map[string]any{"code": "INVALID_INPUT", "field": "Content-Type"}, ""},
		{"rate limited, rounded up", 429, domain.RateLimited(1500*time.Millisecond, "slow down"),
			"slow down", map[string]any{"code": "RATE_LIMITED", "retryAfter": 2.0}, "2"},
		{"unavailable, with its retry", 503, domain.Unavailable(time.Second, errors.New("dial tcp: connection refused")),
			"the service is briefly unavailable; retry with the same idempotency key",
			map[string]any{"code": "UNAVAILABLE", "retryAfter": 1.0}, "1"},
		{"internal hides its message", 500, &domain.Error{Code: domain.CodeInternal, Message: "pq: password for 10.0.0.3", Err: errors.New("x")},
			"internal error", map[string]any{"code": "INTERNAL"}, ""},
		{"no message: the code", 401, &domain.Error{Code: domain.CodeUnauthenticated},
			"UNAUTHENTICATED", map[string]any{"code": "UNAUTHENTICATED"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			Write(w, tc.status, tc.err)
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			got := body.Errors[0]
			if w.Code != tc.status || got.Message != tc.message || !reflect.DeepEqual(got.Extensions, tc.extensions) ||
				w.Header().Get("Retry-After") != tc.retryAfter || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, error %+v, Retry-After %q", w.Code, got, w.Header().Get("Retry-After"))
			}
		})
	}
}

// TestWriteContentType: application/json, unless the handler chose
// application/graphql-response+json for the answer before; any other
// Content-Type set before is replaced.
func TestWriteContentType(t *testing.T) {
	tests := []struct{ preset, want string }{
		{"", "application/json"},
		{"application/graphql-response+json; charset=utf-8", "application/graphql-response+json; charset=utf-8"},
		{"application/graphql-response+json", "application/graphql-response+json"},
		{"text/html", "application/json"},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		if tc.preset != "" {
			w.Header().Set("Content-Type", tc.preset)
		}
		Write(w, 401, &domain.Error{Code: domain.CodeUnauthenticated})
		if got := w.Header().Get("Content-Type"); got != tc.want {
			t.Errorf("preset %q: Content-Type %q, want %q", tc.preset, got, tc.want)
		}
	}
}

// TestStatus: every code of the contract has its one HTTP status, the same
// for downloads, webhooks and refused requests.
func TestStatus(t *testing.T) {
	tests := []struct {
		code domain.Code
		want int
	}{
		{domain.CodeUnauthenticated, 401},
		{domain.CodeForbidden, 403},
		{domain.CodeNotFound, 404},
		{domain.CodeInvalidInput, 400},
		{domain.CodeInsufficientCredits, 402},
		{domain.CodeOrgSuspended, 403},
		{domain.CodeConflict, 409},
		{domain.CodePaymentFailed, 402},
		{domain.CodeGatewayUnavailable, 503},
		{domain.CodeRateLimited, 429},
		{domain.CodeInternal, 500},
		{domain.CodeUsageLimitExceeded, 402},
		{domain.CodeUnavailable, 503},
		{"SOMETHING_NEW", 500},
	}
	for _, tt := range tests {
		if got := Status(tt.code); got != tt.want {
			t.Errorf("Status(%s) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

// TestWriteError: a coded error at its status, anything else INTERNAL
// without its message.
func TestWriteError(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		msg    string
	}{
		{"coded", &domain.Error{Code: domain.CodeConflict, Message: "order changed concurrently"}, 409, "CONFLICT", "order changed concurrently"},
		{"wrapped", fmt.Errorf("webhook: %w", domain.NotFound("gateway")), 404, "NOT_FOUND", ""},
		{"plain", errors.New("dial tcp 10.0.0.3:5432: refused"), 500, "INTERNAL", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, tt.err)
			var b body
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || len(b.Errors) != 1 || b.Errors[0].Extensions["code"] != tt.code ||
				(tt.msg != "" && b.Errors[0].Message != tt.msg) {
				t.Fatalf("%d %+v, want %d %s %q", rec.Code, b, tt.status, tt.code, tt.msg)
			}
		})
	}
}
