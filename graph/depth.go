package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
)

// DepthLimit is a gqlgen extension that refuses operations whose selection
// sets nest deeper than Limit (fragments counted where they are spread;
// introspection fields not counted) with INVALID_INPUT.
type DepthLimit struct {
	// Limit is the deepest nesting allowed; 0 or less disables the check.
	Limit int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

// ExtensionName names the extension.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// Validate accepts any schema.
func (DepthLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation and refuses it when too deep.
func (d DepthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if d.Limit <= 0 || oc.Operation == nil {
		return nil
	}
	depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, map[string]bool{})
	if depth <= d.Limit {
		return nil
	}
	err := gqlerror.Errorf("operation is nested %d levels deep; the limit is %d", depth, d.Limit)
	err.Extensions = map[string]any{"code": string(domain.CodeInvalidInput), "field": "query"}
	return err
}

// selectionDepth is the deepest chain of fields in set: a field counts one
// level plus its own selections; inline fragments and fragment spreads add
// their selections at the current level. active guards against fragment
// cycles (validation refuses them anyway).
func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, active map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.Name) >= 2 && s.Name[:2] == "__" {
				continue // introspection (__typename, __schema, __type)
			}
			d = 1 + selectionDepth(s.SelectionSet, frags, active)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, active)
		case *ast.FragmentSpread:
			def := frags.ForName(s.Name)
			if def == nil || active[s.Name] {
				continue
			}
			active[s.Name] = true
			d = selectionDepth(def.SelectionSet, frags, active)
			delete(active, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}
