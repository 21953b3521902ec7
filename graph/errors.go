package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
)

// Codes gqlgen's extensions set.
const (
	codeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"
	// codePersistedQueryNotFound asks an APQ client to send the full query;
	// clients look for exactly this code, so it is passed on as it is.
	codePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
)

// maxRequestErrorMessage bounds the message of an error about the request
// (gqlgen would otherwise echo a whole undecodable body back).
const maxRequestErrorMessage = 500

// requestErrorCodes map the codes of errors raised before execution — by
// gqlgen (parse, validation, complexity, APQ) or by this package's
// extensions (limits, websocket sessions, introspection) — to the codes
// shown. Every API code stands for itself.
var requestErrorCodes = func() map[string]domain.Code {
	m := map[string]domain.Code{
		errcode.ParseFailed:        domain.CodeInvalidInput,
		errcode.ValidationFailed:   domain.CodeInvalidInput,
		codeComplexityLimit:        domain.CodeInvalidInput,
		codePersistedQueryNotFound: codePersistedQueryNotFound,
	}
	for _, c := range []domain.Code{
		domain.CodeUnauthenticated, domain.CodeForbidden, domain.CodeNotFound, domain.CodeInvalidInput,
		domain.CodeInsufficientCredits, domain.CodeOrgSuspended, domain.CodeConflict, domain.CodePaymentFailed,
		domain.CodeGatewayUnavailable, domain.CodeRateLimited, domain.CodeInternal, domain.CodeUsageLimitExceeded,
		domain.CodeUnavailable,
	} {
		m[string(c)] = c
	}
	return m
}()

// errorPresenter maps every error to the API's error shape exactly once: a
// *domain.Error keeps its client-safe message and becomes extensions.code
// (plus extensions.field for INVALID_INPUT, and extensions.retryAfter in
// seconds for RATE_LIMITED); parse, validation, variable, limit and
// complexity errors are INVALID_INPUT; anything else is INTERNAL, its cause
// logged and never shown. In production, messages suggest no field,
// argument, type or value names ("Did you mean …").
func errorPresenter(logger *slog.Logger, production bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		out := &gqlerror.Error{Message: gqlErr.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Rule: gqlErr.Rule}

		var de *domain.Error
		switch {
		case errors.As(err, &de) && de.Code != domain.CodeInternal:
			out.Message = de.Message
			if out.Message == "" {
				out.Message = string(de.Code)
			}
			out.Extensions = map[string]any{"code": string(de.Code)}
			if de.Code == domain.CodeInvalidInput {
				out.Extensions["field"] = fieldOf(de.Field, gqlErr.Path)
			}
			if de.Code == domain.CodeRateLimited || de.Code == domain.CodeUnavailable {
				out.Extensions["retryAfter"] = de.RetryAfterSeconds()
			}
		case de == nil && gqlErr.Err == nil && requestErrorCode(gqlErr) != "" && requestErrorCode(gqlErr) != domain.CodeInternal:
			// An error about the request itself, raised before execution.
			code := requestErrorCode(gqlErr)
			out.Message = requestMessage(out.Message, production)
			out.Extensions = map[string]any{"code": string(code)}
			if code == domain.CodeInvalidInput {
				out.Extensions["field"] = fieldOf(fieldExtension(gqlErr), gqlErr.Path)
			}
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			// The operation's own context ended: the client went away, its
			// subscription was stopped or ended, or the server is shutting
			// down. Nothing failed inside Tally, so this is no error to log;
			// whoever still reads the answer learns it was canceled.
			logger.DebugContext(ctx, "graphql: operation canceled", "path", gqlErr.Path.String(),
				"operation", operationName(ctx))
			out.Message = "the operation was canceled"
			out.Extensions = map[string]any{"code": string(domain.CodeInternal)}
			out.Rule = ""
		default:
			logger.ErrorContext(ctx, "graphql: internal error", "error", err, "path", gqlErr.Path.String(),
				"operation", operationName(ctx))
			out.Message = "internal error"
			out.Extensions = map[string]any{"code": string(domain.CodeInternal)}
			out.Rule = ""
		}
		return out
	}
}

// requestMessage trims an error message about the request, and in
// production drops its suggestions.
func requestMessage(msg string, production bool) string {
	if production {
		if i := strings.Index(msg, " Did you mean"); i >= 0 {
			msg = msg[:i]
		}
	}
	if len(msg) > maxRequestErrorMessage {
		cut := maxRequestErrorMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// fieldExtension is the field an error of this package's extensions names.
func fieldExtension(e *gqlerror.Error) string {
	f, _ := e.Extensions["field"].(string)
	return f
}

// requestErrorCode returns the API code of an error without a cause that is
// about the request itself: one with a code of requestErrorCodes, or, as
// INVALID_INPUT, one with no code and no path (an undecodable body); ""
// for anything else.
func requestErrorCode(e *gqlerror.Error) domain.Code {
	if code, ok := e.Extensions["code"].(string); ok {
		return requestErrorCodes[code]
	}
	if len(e.Path) == 0 {
		return domain.CodeInvalidInput
	}
	return ""
}

// fieldOf names the offending input: the domain's field when set, else the
// last name on the error's path (an argument or input field, or a
// variable), else "query".
func fieldOf(field string, path ast.Path) string {
	if field != "" {
		return field
	}
	for i := len(path) - 1; i >= 0; i-- {
		if name, ok := path[i].(ast.PathName); ok {
			return string(name)
		}
	}
	return "query"
}

// recoverPanic turns a resolver panic into an INTERNAL error whose cause,
// with the stack, the presenter logs.
func recoverPanic(_ context.Context, p any) error {
	return domain.Internal(fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
}

func operationName(ctx context.Context) string {
	if !graphql.HasOperationContext(ctx) {
		return ""
	}
	return graphql.GetOperationContext(ctx).OperationName
}
