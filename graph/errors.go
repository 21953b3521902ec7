package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
)

// codeComplexityLimit is the code gqlgen's complexity extension sets.
const codeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"

// requestErrorCodes map the codes of errors raised before execution — by
// gqlgen (parse, validation, complexity) or by this package's extensions
// (depth, introspection) — to API codes.
var requestErrorCodes = map[string]domain.Code{
	errcode.ParseFailed:             domain.CodeInvalidInput,
	errcode.ValidationFailed:        domain.CodeInvalidInput,
	codeComplexityLimit:             domain.CodeInvalidInput,
	string(domain.CodeInvalidInput): domain.CodeInvalidInput,
	string(domain.CodeForbidden):    domain.CodeForbidden,
}

// errorPresenter maps every error to the API's error shape exactly once: a
// *domain.Error keeps its client-safe message and becomes extensions.code
// (plus extensions.field for INVALID_INPUT, and extensions.retryAfter in
// seconds for RATE_LIMITED); parse, validation, variable,
// depth and complexity errors are INVALID_INPUT; anything else is INTERNAL,
// its cause logged and never shown.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
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
			if de.Code == domain.CodeRateLimited {
				out.Extensions["retryAfter"] = de.RetryAfterSeconds()
			}
		case de == nil && gqlErr.Err == nil && requestErrorCode(gqlErr) != "":
			code := requestErrorCode(gqlErr)
			out.Extensions = map[string]any{"code": string(code)}
			if code == domain.CodeInvalidInput {
				out.Extensions["field"] = fieldOf("", gqlErr.Path)
			}
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
