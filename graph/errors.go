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

// requestErrorCodes are the gqlgen codes of a request that is not valid
// GraphQL for this schema: all the client's fault.
var requestErrorCodes = map[string]bool{
	errcode.ParseFailed:             true,
	errcode.ValidationFailed:        true,
	codeComplexityLimit:             true,
	string(domain.CodeInvalidInput): true,
}

// errorPresenter maps every error to the API's error shape exactly once: a
// *domain.Error keeps its client-safe message and becomes extensions.code
// (plus extensions.field for INVALID_INPUT); parse, validation, variable,
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
		case de == nil && gqlErr.Err == nil && isRequestError(gqlErr):
			out.Extensions = map[string]any{"code": string(domain.CodeInvalidInput), "field": fieldOf("", gqlErr.Path)}
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

// isRequestError reports whether a gqlgen error without a cause is about the
// request itself: a code of requestErrorCodes, or no path at all (body
// decoding, unknown operation).
func isRequestError(e *gqlerror.Error) bool {
	if code, ok := e.Extensions["code"].(string); ok {
		return requestErrorCodes[code]
	}
	return len(e.Path) == 0
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
