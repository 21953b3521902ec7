package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
)

// noIntrospection refuses, with FORBIDDEN, operations that select __schema
// or __type when introspection is off (production), instead of letting
// them fail as internal errors during execution.
type noIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = noIntrospection{}

// ExtensionName names the extension.
func (noIntrospection) ExtensionName() string { return "NoIntrospection" }

// Validate accepts any schema.
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses introspection queries.
func (noIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || !selectsIntrospection(oc.Operation.SelectionSet, oc.Doc.Fragments, map[string]bool{}) {
		return nil
	}
	err := gqlerror.Errorf("introspection is disabled")
	err.Extensions = map[string]any{"code": string(domain.CodeForbidden)}
	return err
}

// selectsIntrospection reports whether a root selection set (through its
// fragments) selects __schema or __type.
func selectsIntrospection(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if selectsIntrospection(s.SelectionSet, frags, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if def := frags.ForName(s.Name); def != nil && !seen[s.Name] {
				seen[s.Name] = true
				if selectsIntrospection(def.SelectionSet, frags, seen) {
					return true
				}
			}
		}
	}
	return false
}
