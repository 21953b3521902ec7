package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	gql "github.com/vektah/gqlparser/v2/ast"
)

const schemaDir = "../../schema"

func load(t *testing.T) *gql.Schema {
	t.Helper()
	s, err := Load(schemaDir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReferenceCurrent: the committed page is what the schema renders to,
// so `go test` catches a stale page as CI's generate check does.
func TestReferenceCurrent(t *testing.T) {
	want := Render(load(t))
	got, err := os.ReadFile(schemaDir + "/REFERENCE.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("graph/schema/REFERENCE.md is stale: run go generate ./...")
	}
	if !bytes.Equal(Render(load(t)), want) {
		t.Error("two renders of one schema differ")
	}
}

// TestEverythingDescribed: every public type, field, argument, input field
// and enum value of the schema files has a description, and so has the
// schema itself (the page's introduction).
func TestEverythingDescribed(t *testing.T) {
	s := load(t)
	if strings.TrimSpace(s.Description) == "" {
		t.Error("the schema has no description")
	}
	for name, d := range s.Types {
		if d.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(d.Description) == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Errorf("field %s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					t.Errorf("argument %s.%s(%s) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range d.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				t.Errorf("enum value %s.%s has no description", name, v.Name)
			}
		}
	}
	for name, d := range s.Directives {
		if d.Position == nil || d.Position.Src == nil || d.Position.Src.BuiltIn {
			continue
		}
		if strings.TrimSpace(d.Description) == "" {
			t.Errorf("directive @%s has no description", name)
		}
	}
}

// TestEveryOperationStatesAccess: each query, mutation and subscription
// says who may call it in the schema's convention (a parenthesis starting
// with a role or kind of caller, or "Authorized like …"), which the page
// repeats as its Access line.
func TestEveryOperationStatesAccess(t *testing.T) {
	s := load(t)
	for _, r := range roots(s) {
		for _, f := range fields(r.def) {
			if Access(f.Description) == "" {
				t.Errorf("%s %s: its description does not say who may call it", r.kind, f.Name)
			}
		}
	}
}

func TestAccess(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Buys a pack (OWNER, BILLING): creates the order.", "OWNER, BILLING"},
		{"Hands over (OWNER only; never an API key): x (y).", "OWNER only; never an API key"},
		{"Refunds (platform admins only), then (z).", "platform admins only"},
		{"Moves the clock. Platform admins only (others get FORBIDDEN).", "Platform admins only"},
		{"Pushes the balance. Authorized like `Org.balance`.", "Authorized like `Org.balance`"},
		{"Prices a pack (1 = at once) for the org.", ""},
		{"Spends credits (free, paid).", ""},
	} {
		if got := Access(c.in); got != c.want {
			t.Errorf("Access(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCodes(t *testing.T) {
	got := Codes("CONFLICT when paid; INVALID_INPUT names it; an OWNER or NOT_FOUNDS, UNAVAILABLE.")
	want := []string{"INVALID_INPUT", "CONFLICT", "UNAVAILABLE"}
	if !slices.Equal(got, want) {
		t.Errorf("Codes = %v, want %v", got, want)
	}
}

// TestErrorCodesMatchDomain: ErrorCodes are exactly the Code constants of
// domain/errors.go, so a new code shows on the page once a description
// names it.
func TestErrorCodesMatchDomain(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../../domain/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var domainCodes []string
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, val := range v.Values {
				lit, ok := val.(*ast.BasicLit)
				if !ok {
					continue
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				domainCodes = append(domainCodes, s)
			}
		}
	}
	if len(domainCodes) == 0 {
		t.Fatal("no Code constants found in domain/errors.go")
	}
	slices.Sort(domainCodes)
	ours := slices.Clone(ErrorCodes)
	slices.Sort(ours)
	if !slices.Equal(domainCodes, ours) {
		t.Errorf("apiref.ErrorCodes = %v, domain's codes = %v", ours, domainCodes)
	}
}

// TestRenderSmall renders a small schema and checks what the page says of
// it: access, errors, arguments, input fields, enums, deprecation, links.
func TestRenderSmall(t *testing.T) {
	s, gerr := gqlparserLoad(`
"The API."
schema { query: Query, mutation: Mutation }
"Reads."
type Query {
  "An org (OWNER, BILLING). NOT_FOUND for others."
  org("Its ID." id: ID!): Org
}
"Changes."
type Mutation {
  "Renames an org (OWNER only). CONFLICT when taken."
  rename("What to change." input: RenameInput!): [Org!]!
}
"An org."
type Org {
  "Its name."
  name: String!
  "Old name." old: String @deprecated(reason: "Use name.")
  "Its state."
  state: State!
}
"What rename takes."
input RenameInput {
  "The new name."
  name: String! = "x"
}
"A state."
enum State {
  "Good | fine."
  OK
}
`)
	if gerr != nil {
		t.Fatal(gerr)
	}
	page := string(Render(s))
	for _, want := range []string{
		"<a id=\"query-org\"></a>\n\n### query `org`",
		"- **Access** OWNER, BILLING\n- **Errors named** `NOT_FOUND`",
		"- **Access** OWNER only\n- **Errors named** `CONFLICT`",
		"- **Returns** \\[[`Org`](#type-org)!\\]!",
		"| `input` | [`RenameInput`](#type-renameinput)! | What to change. |",
		"| field | type | description |\n|---|---|---|\n| `name` | `String`! = `\"x\"` | The new name. |",
		"| `old` | `String` | Old name. **Deprecated**: Use name. |",
		"| `OK` | Good \\| fine. |",
		"<a id=\"type-state\"></a>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}

func gqlparserLoad(src string) (*gql.Schema, error) {
	s, err := gqlparser.LoadSchema(&gql.Source{Name: "t.graphqls", Input: src})
	if err != nil {
		return nil, err
	}
	return s, nil
}
