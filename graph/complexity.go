package graph

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/graph/generated"
)

// complexityCacheSize bounds the operations whose complexity is kept.
const complexityCacheSize = queryCacheSize

// complexityLimit is gqlgen's extension.FixedComplexityLimit (the same
// name, statistics and error) that remembers the complexity of an
// operation its variables cannot change: gqlgen walks the operation, and
// builds every field's arguments, on every request. Only a field with a
// complexity function of its own (setComplexity) looks at its arguments;
// an operation none of whose such fields takes a variable costs the same
// whatever the variables, so its cost is computed once per parsed
// document (gqlgen's query cache keeps them).
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
	// custom names the fields with a complexity function, lower case.
	custom []string

	mu    sync.Mutex
	known map[*ast.OperationDefinition]opComplexity
}

// opComplexity is what complexityLimit knows of one operation.
type opComplexity struct {
	n     int
	fixed bool // false: n depends on the variables, it is computed each time
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*complexityLimit)(nil)

// newComplexityLimit caps the complexity at limit, with the complexity
// functions of root.
func newComplexityLimit(limit int, root *generated.ComplexityRoot) *complexityLimit {
	return &complexityLimit{limit: limit, custom: complexityFields(root), known: map[*ast.OperationDefinition]opComplexity{}}
}

// complexityFields returns the names, in lower case, of the fields root
// has a complexity function for.
func complexityFields(root *generated.ComplexityRoot) []string {
	var out []string
	types := reflect.ValueOf(root).Elem()
	for i := range types.NumField() {
		fields := types.Field(i)
		if fields.Kind() != reflect.Struct {
			continue
		}
		for j := range fields.NumField() {
			if f := fields.Field(j); f.Kind() == reflect.Func && !f.IsNil() {
				out = append(out, strings.ToLower(fields.Type().Field(j).Name))
			}
		}
	}
	return out
}

// ExtensionName is FixedComplexityLimit's, so that
// extension.GetComplexityStats finds the statistics.
func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate keeps the schema.
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

// MutateOperationContext computes (or recalls) the operation's complexity,
// records it in the statistics and refuses it over the limit.
func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	c.mu.Lock()
	k, found := c.known[op]
	c.mu.Unlock()
	n := k.n
	if !found || !k.fixed {
		n = complexity.Calculate(ctx, c.es, op, opCtx.Variables)
	}
	// Documents longer than the query cache takes are parsed anew each
	// time: their operations would only fill this cache.
	if !found && len(opCtx.RawQuery) <= queryCacheMaxBytes {
		c.mu.Lock()
		if len(c.known) >= complexityCacheSize {
			clear(c.known)
		}
		c.known[op] = opComplexity{n: n, fixed: !c.takesVariables(op.SelectionSet)}
		c.mu.Unlock()
	}
	opCtx.Stats.SetExtension("ComplexityLimit", &extension.ComplexityStats{Complexity: n, ComplexityLimit: c.limit})
	if n > c.limit {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", n, c.limit)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// takesVariables reports whether a field of set (fragments included) with
// a complexity function of its own has an argument that uses a variable.
func (c *complexityLimit) takesVariables(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if c.isCustom(s.Name) {
				for _, a := range s.Arguments {
					if usesVariable(a.Value) {
						return true
					}
				}
			}
			if c.takesVariables(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || c.takesVariables(s.Definition.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if c.takesVariables(s.SelectionSet) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// isCustom reports whether a field of this name has a complexity function
// on some type.
func (c *complexityLimit) isCustom(name string) bool {
	for _, f := range c.custom {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

// usesVariable reports whether v is or holds a variable.
func usesVariable(v *ast.Value) bool {
	if v == nil {
		return false
	}
	if v.Kind == ast.Variable {
		return true
	}
	for _, ch := range v.Children {
		if usesVariable(ch.Value) {
			return true
		}
	}
	return false
}
