package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
)

func TestErrorPresenter(t *testing.T) {
	withCode := func(code string, path ast.Path) error {
		e := gqlerror.Errorf("gqlgen says no")
		e.Path = path
		if code != "" {
			errcode.Set(e, code)
		}
		return e
	}
	onPath := func(err error, path ...any) error {
		e := gqlerror.WrapPath(nil, err)
		for _, p := range path {
			switch p := p.(type) {
			case string:
				e.Path = append(e.Path, ast.PathName(p))
			case int:
				e.Path = append(e.Path, ast.PathIndex(p))
			}
		}
		return e
	}
	tests := []struct {
		name    string
		err     error
		message string
		code    string
		field   string // "" = no field extension
		logged  bool
	}{
		{"invalid input keeps its field", domain.InvalidInput("amount", "must be positive"), "must be positive", "INVALID_INPUT", "amount", false},
		{"invalid input takes the field from the path", onPath(&domain.Error{Code: domain.CodeInvalidInput, Message: "not credits"}, "consumeCredits", "input", "amount"), "not credits", "INVALID_INPUT", "amount", false},
		{"invalid input without field or path", &domain.Error{Code: domain.CodeInvalidInput, Message: "bad"}, "bad", "INVALID_INPUT", "query", false},
		{"not found", domain.NotFound("org"), "org not found", "NOT_FOUND", "", false},
		{"wrapped forbidden", fmt.Errorf("resolver: %w", domain.Errorf(domain.CodeForbidden, "a member with the MEMBER role may not manage this org's API keys")), "a member with the MEMBER role may not manage this org's API keys", "FORBIDDEN", "", false},
		{"insufficient credits on a path", onPath(domain.Errorf(domain.CodeInsufficientCredits, "balance is 5"), "consumeCredits"), "balance is 5", "INSUFFICIENT_CREDITS", "", false},
		{"domain internal hides the cause", domain.Internal(errors.New("pq: connection refused")), "internal error", "INTERNAL", "", true},
		{"plain error is internal", errors.New("boom at 10.0.0.3"), "internal error", "INTERNAL", "", true},
		{"plain error on a path is internal", onPath(errors.New("boom at 10.0.0.3"), "org", "balance"), "internal error", "INTERNAL", "", true},
		{"panic is internal", recoverPanic(context.Background(), "nil map write"), "internal error", "INTERNAL", "", true},
		{"parse error", withCode(errcode.ParseFailed, nil), "gqlgen says no", "INVALID_INPUT", "query", false},
		{"validation error", withCode(errcode.ValidationFailed, nil), "gqlgen says no", "INVALID_INPUT", "query", false},
		{"variable error", withCode(errcode.ValidationFailed, ast.Path{ast.PathName("variable"), ast.PathName("amount")}), "gqlgen says no", "INVALID_INPUT", "amount", false},
		{"complexity limit", withCode(codeComplexityLimit, nil), "gqlgen says no", "INVALID_INPUT", "query", false},
		{"forbidden from an extension", withCode("FORBIDDEN", nil), "gqlgen says no", "FORBIDDEN", "", false},
		{"unknown gqlgen code", withCode("SOMETHING_NEW", nil), "internal error", "INTERNAL", "", true},
		{"undecodable body", withCode("", nil), "gqlgen says no", "INVALID_INPUT", "query", false},
		{"null in a non-null field", withCode("", ast.Path{ast.PathName("org"), ast.PathName("name")}), "internal error", "INTERNAL", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			present := errorPresenter(slog.New(slog.NewTextHandler(&logs, nil)), false)
			got := present(context.Background(), tc.err)
			if got.Message != tc.message {
				t.Errorf("message = %q, want %q", got.Message, tc.message)
			}
			if got.Extensions["code"] != tc.code {
				t.Errorf("code = %v, want %s", got.Extensions["code"], tc.code)
			}
			f, ok := got.Extensions["field"]
			if (tc.field == "") == ok || (ok && f != tc.field) {
				t.Errorf("field = %v (%v), want %q", f, ok, tc.field)
			}
			if logged := logs.Len() > 0; logged != tc.logged {
				t.Errorf("logged = %v, want %v: %s", logged, tc.logged, logs.String())
			}
			if tc.logged && !strings.Contains(logs.String(), "error=") {
				t.Errorf("log lacks the cause: %s", logs.String())
			}
		})
	}
}

// TestErrorPresenterRetryAfter: RATE_LIMITED carries extensions.retryAfter,
// whole seconds rounded up (at least 1); no other code does.
func TestErrorPresenterRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want any // nil: no retryAfter
	}{
		{"whole seconds", domain.RateLimited(3*time.Second, "slow down"), 3},
		{"rounded up", onPathOf(domain.RateLimited(2500*time.Millisecond, "slow down"), "purchasePack"), 3},
		{"under a second", domain.RateLimited(10*time.Millisecond, "slow down"), 1},
		{"other codes have none", domain.Errorf(domain.CodeConflict, "busy"), nil},
	}
	present := errorPresenter(slog.New(slog.DiscardHandler), false)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := present(context.Background(), tc.err)
			if ra := got.Extensions["retryAfter"]; ra != tc.want {
				t.Fatalf("retryAfter = %v, want %v (extensions %v)", ra, tc.want, got.Extensions)
			}
			if tc.want != nil && (got.Extensions["code"] != "RATE_LIMITED" || got.Message != "slow down") {
				t.Fatalf("extensions %v, message %q", got.Extensions, got.Message)
			}
		})
	}
}

func onPathOf(err error, name string) error {
	e := gqlerror.WrapPath(ast.Path{ast.PathName(name)}, err)
	return e
}

// TestErrorPresenterCanceled: a failure caused by the end of the
// operation's own context (the client left, the subscription stopped, the
// server is stopping) is no internal error worth an ERROR line; the same
// cause while the operation is still alive is.
func TestErrorPresenterCanceled(t *testing.T) {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		err     error
		message string
		logged  bool
	}{
		{"canceled operation", ended, domain.Internal(fmt.Errorf("load grants: %w", context.Canceled)), "the operation was canceled", false},
		{"canceled operation, plain error", ended, fmt.Errorf("query: %w", context.Canceled), "the operation was canceled", false},
		{"canceled cause in a live operation", context.Background(), domain.Internal(context.Canceled), "internal error", true},
		{"other failure after the operation ended", ended, errors.New("boom"), "internal error", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			got := errorPresenter(slog.New(slog.NewTextHandler(&logs, nil)), false)(tc.ctx, tc.err)
			if got.Message != tc.message || got.Extensions["code"] != "INTERNAL" {
				t.Errorf("presented %q (%v), want %q INTERNAL", got.Message, got.Extensions["code"], tc.message)
			}
			if logged := strings.Contains(logs.String(), "level=ERROR"); logged != tc.logged {
				t.Errorf("logged an error = %v, want %v: %s", logged, tc.logged, logs.String())
			}
		})
	}
}
