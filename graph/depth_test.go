package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestSelectionDepth(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"one field", `{ viewer }`, 1},
		{"nested", `{ viewer { user { email } } }`, 3},
		{"widest branch does not matter", `{ a b c { d } }`, 2},
		{"deepest branch counts", `{ a { b } c { d { e { f } } } }`, 4},
		{"inline fragment adds no level", `{ node { ... on Org { balance { total } } } }`, 3},
		{"fragment spread counts at its depth", `query { org { ...F } } fragment F on Org { ledger { edges { node { id } } } }`, 5},
		{"nested fragments", `query { a { ...F } } fragment F on A { b { ...G } } fragment G on B { c { d } }`, 4},
		{"introspection not counted", `{ __schema { types { fields { type { ofType { ofType { name } } } } } } viewer { user { id } } }`, 3},
		{"typename not counted", `{ viewer { __typename } }`, 1},
		{"cycle guarded", `query { a { ...F } } fragment F on A { b { ...F } }`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			if got := selectionDepth(doc.Operations[0].SelectionSet, doc.Fragments, map[string]bool{}); got != tc.want {
				t.Fatalf("depth = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestDepthLimit(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `{ a { b { c } } }`})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit   int
		refused bool
	}{
		{0, false}, {2, true}, {3, false}, {10, false},
	}
	for _, tc := range tests {
		oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
		gerr := DepthLimit{Limit: tc.limit}.MutateOperationContext(context.Background(), oc)
		if (gerr != nil) != tc.refused {
			t.Errorf("limit %d: error %v, refused want %v", tc.limit, gerr, tc.refused)
			continue
		}
		if gerr != nil && (gerr.Extensions["code"] != "INVALID_INPUT" || gerr.Extensions["field"] != "query") {
			t.Errorf("limit %d: extensions %v", tc.limit, gerr.Extensions)
		}
	}
}
