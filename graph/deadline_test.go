package graph

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestOperationDeadline(t *testing.T) {
	tests := []struct {
		op       ast.Operation
		deadline bool
	}{
		{ast.Query, true}, {ast.Mutation, true}, {ast.Subscription, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.op), func(t *testing.T) {
			oc := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: tc.op}}
			ctx := graphql.WithOperationContext(context.Background(), oc)
			var inner context.Context
			h := operationDeadline{timeout: time.Minute}.InterceptOperation(ctx, func(ctx context.Context) graphql.ResponseHandler {
				inner = ctx
				return func(context.Context) *graphql.Response { return &graphql.Response{} }
			})
			d, ok := inner.Deadline()
			if ok != tc.deadline || (ok && time.Until(d) > time.Minute) {
				t.Fatalf("deadline %v %v, want one within a minute: %v", d, ok, tc.deadline)
			}
			h(inner)
			if tc.deadline && inner.Err() == nil {
				t.Fatal("the operation's context outlives its response")
			}
		})
	}
}
