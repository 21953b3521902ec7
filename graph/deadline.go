package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// DefaultOperationTimeout bounds a query or mutation when Options says nothing.
const DefaultOperationTimeout = 30 * time.Second

// operationDeadline gives every query and mutation a deadline the server
// enforces: resolvers, database calls and gateway calls see a context that
// ends then. Subscriptions run until the client stops them.
type operationDeadline struct{ timeout time.Duration }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = operationDeadline{}

// ExtensionName names the extension.
func (operationDeadline) ExtensionName() string { return "OperationDeadline" }

// Validate accepts any schema.
func (operationDeadline) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation runs the operation under the deadline.
func (d operationDeadline) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		defer cancel()
		return h(ctx)
	}
}
