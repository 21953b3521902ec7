package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2"

	"github.com/tallyhq/tally/graph/generated"
)

// TestComplexityLimit: the complexity recorded and refused is what gqlgen
// computes for the operation and its variables, on first sight and when
// recalled, for operations whose cost the variables change (a page size
// from a variable) and those they do not.
func TestComplexityLimit(t *testing.T) {
	cfg := generated.Config{}
	setComplexity(&cfg.Complexity)
	es := generated.NewExecutableSchema(cfg)
	c := newComplexityLimit(100, &cfg.Complexity)
	if err := c.Validate(es); err != nil {
		t.Fatal(err)
	}
	const (
		balance   = `query($id: ID!) { org(id: $id) { balance { total free paid } } }`
		pageVar   = `query($id: ID!, $n: Int) { org(id: $id) { ledger(first: $n) { edges { node { id } } } } }`
		pageFixed = `query($id: ID!) { org(id: $id) { ...L } } fragment L on Org { ledger(first: 3) { edges { node { id } } } }`
		inFrag    = `query($n: Int) { org(id: "x") { ...L } } fragment L on Org { members(first: $n) { edges { node { role } } } }`
	)
	tests := []struct {
		name   string
		query  string
		vars   map[string]any
		fixed  bool
		refuse bool
	}{
		{"balance", balance, map[string]any{"id": "a"}, true, false},
		{"balance again, other org", balance, map[string]any{"id": "b"}, true, false},
		{"page of 3 from a variable", pageVar, map[string]any{"id": "a", "n": 3}, false, false},
		{"page of 100 from a variable", pageVar, map[string]any{"id": "a", "n": 100}, false, true},
		{"page of 3 again", pageVar, map[string]any{"id": "a", "n": 3}, false, false},
		{"page of 3 written in a fragment", pageFixed, map[string]any{"id": "a"}, true, false},
		{"page of 3 written in a fragment again", pageFixed, map[string]any{"id": "b"}, true, false},
		{"variable page in a fragment", inFrag, map[string]any{"n": 100}, false, true},
		{"variable page in a fragment, small", inFrag, map[string]any{"n": 2}, false, false},
	}
	docs := map[string]*graphql.OperationContext{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oc := docs[tt.query]
			if oc == nil {
				doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), tt.query, nil)
				if errs != nil {
					t.Fatal(errs)
				}
				oc = &graphql.OperationContext{RawQuery: tt.query, Doc: doc}
				docs[tt.query] = oc
			}
			oc.Variables = tt.vars
			ctx := context.Background()
			want := complexity.Calculate(ctx, es, oc.Doc.Operations.ForName(""), tt.vars)
			err := c.MutateOperationContext(ctx, oc)
			if (err != nil) != tt.refuse || (want > 100) != tt.refuse {
				t.Fatalf("complexity %d: refused %v, want %v", want, err, tt.refuse)
			}
			if err != nil && err.Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" {
				t.Errorf("error %+v", err)
			}
			if s, _ := oc.Stats.GetExtension("ComplexityLimit").(*extension.ComplexityStats); s == nil || s.Complexity != want || s.ComplexityLimit != 100 {
				t.Errorf("stats %+v, want complexity %d", s, want)
			}
			if k := c.known[oc.Doc.Operations.ForName("")]; !k.fixed != !tt.fixed {
				t.Errorf("kept %+v, want fixed %v", k, tt.fixed)
			}
		})
	}
}
