package httperror

import (
	"encoding/json"
	"errors"
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
