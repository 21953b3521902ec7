// Command apiref writes the GraphQL API reference, a markdown page, from the
// descriptions of graph/schema/*.graphqls. `go generate ./graph` runs it
// after gqlgen (graph/generate.go), so the page changes with the schema and
// CI's generate check fails when it is stale.
//
//	go run ./internal/apiref -schema schema -out schema/REFERENCE.md
//
// The page lists every query, mutation and subscription with its arguments,
// return type, the access its description states and the error codes it
// names, then every type, input, enum, interface, union and scalar with its
// fields. Order is alphabetical within each section, so the output depends
// on the schema only.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	dir := flag.String("schema", "schema", "directory of the *.graphqls files")
	out := flag.String("out", "schema/REFERENCE.md", "markdown file to write")
	flag.Parse()
	s, err := Load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiref:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, Render(s), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "apiref:", err)
		os.Exit(1)
	}
}

// Load parses and validates every *.graphqls file of dir as one schema.
// Source names are the bare file names, which the page links to.
func Load(dir string) (*ast.Schema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.graphqls"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.graphqls files in %s", dir)
	}
	sort.Strings(files)
	srcs := make([]*ast.Source, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, &ast.Source{Name: filepath.Base(f), Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(srcs...)
	if gerr != nil {
		return nil, gerr
	}
	return s, nil
}

// ErrorCodes are the values of extensions.code (domain/errors.go); the page
// lists those an operation's description names. TestErrorCodesMatchDomain
// keeps the list equal to domain's constants.
var ErrorCodes = []string{
	"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "INVALID_INPUT",
	"INSUFFICIENT_CREDITS", "ORG_SUSPENDED", "CONFLICT", "PAYMENT_FAILED",
	"GATEWAY_UNAVAILABLE", "RATE_LIMITED", "USAGE_LIMIT_EXCEEDED",
	"UNAVAILABLE", "INTERNAL",
}

var (
	codeWord = regexp.MustCompile(`\b[A-Z][A-Z_]+[A-Z]\b`)
	// accessGroup is the schema's convention for who may call: a
	// parenthesis that starts with a role or kind of caller, e.g.
	// "(OWNER, BILLING)", "(OWNER only; never an API key)",
	// "(platform admins only)", "(org API keys, OWNER and ADMIN)".
	accessGroup = regexp.MustCompile(`\(((?:OWNER|ADMIN|BILLING|MEMBER|platform admins|org API keys|any member|any signed-in|anyone)[^()]*)\)`)
	// accessSentence covers the other phrasings: "Platform admins only",
	// "Authorized like `Org.balance`", "Any signed-in caller may read it".
	accessSentence = regexp.MustCompile("(Platform admins only|Authorized like `[^`]+`|Any signed-in caller[^.;]*)")
)

// Access is who may call a field, as its description states it (the
// parenthesis or sentence of the schema's convention), or "".
func Access(description string) string {
	if m := accessGroup.FindStringSubmatch(description); m != nil {
		return m[1]
	}
	if m := accessSentence.FindStringSubmatch(description); m != nil {
		return m[1]
	}
	return ""
}

// Codes are the error codes a description names, in ErrorCodes' order.
func Codes(description string) []string {
	named := map[string]bool{}
	for _, w := range codeWord.FindAllString(description, -1) {
		named[w] = true
	}
	var codes []string
	for _, c := range ErrorCodes {
		if named[c] {
			codes = append(codes, c)
		}
	}
	return codes
}

// Anchor is the id of a type's heading on the page.
func Anchor(typeName string) string { return "type-" + strings.ToLower(typeName) }

// OpAnchor is the id of an operation's heading on the page.
func OpAnchor(kind, field string) string { return strings.ToLower(kind + "-" + field) }

// kinds are the sections of types, in page order.
var kinds = []struct {
	kind  ast.DefinitionKind
	title string
}{
	{ast.Object, "Objects"},
	{ast.InputObject, "Input objects"},
	{ast.Enum, "Enums"},
	{ast.Interface, "Interfaces"},
	{ast.Union, "Unions"},
	{ast.Scalar, "Scalars"},
}

// roots are the operation sections: title, anchor prefix, root type.
func roots(s *ast.Schema) []struct {
	title, kind string
	def         *ast.Definition
} {
	return []struct {
		title, kind string
		def         *ast.Definition
	}{
		{"Queries", "query", s.Query},
		{"Mutations", "mutation", s.Mutation},
		{"Subscriptions", "subscription", s.Subscription},
	}
}

// public reports whether a type belongs on the page: not built in, not
// introspection, not a root operation type (those are the operations).
func public(s *ast.Schema, d *ast.Definition) bool {
	if d.BuiltIn || strings.HasPrefix(d.Name, "__") {
		return false
	}
	return d != s.Query && d != s.Mutation && d != s.Subscription
}

// Render writes the page.
func Render(s *ast.Schema) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# Tally GraphQL API reference\n\n")
	p("<!-- Generated by graph/internal/apiref from graph/schema/*.graphqls (`go generate ./...`). Do not edit: change the schema's descriptions. -->\n\n")
	p("Generated from the descriptions in [the schema](.) by `go generate ./...`; ")
	p("change a description in its `.graphqls` file, not this page. ")
	p("The same text is served by introspection and shown in GraphiQL. ")
	p("Who may do what is README's [Roles](../../README.md#roles) table, enforced in `domain/policy.go`; ")
	p("the billing rules behind these operations are in [the rule book](../../domain/RULES.md).\n\n")
	if d := strings.TrimSpace(s.Description); d != "" {
		p("%s\n\n", d)
	}
	p("Every operation may also fail with UNAUTHENTICATED (no or a bad credential), RATE_LIMITED, ")
	p("UNAVAILABLE and INTERNAL; the codes listed under an operation are those its description names. ")
	p("\"Access\" repeats who may call it, as the description says.\n\n")

	p("## Contents\n\n")
	for _, r := range roots(s) {
		if r.def == nil {
			continue
		}
		p("- [%s](#%s):", r.title, strings.ToLower(r.title))
		for i, f := range fields(r.def) {
			sep := ","
			if i == 0 {
				sep = ""
			}
			p("%s [`%s`](#%s)", sep, f.Name, OpAnchor(r.kind, f.Name))
		}
		p("\n")
	}
	for _, k := range kinds {
		defs := definitions(s, k.kind)
		if len(defs) == 0 {
			continue
		}
		p("- [%s](#%s):", k.title, strings.ReplaceAll(strings.ToLower(k.title), " ", "-"))
		for i, d := range defs {
			sep := ","
			if i == 0 {
				sep = ""
			}
			p("%s [`%s`](#%s)", sep, d.Name, Anchor(d.Name))
		}
		p("\n")
	}
	p("\n")

	for _, r := range roots(s) {
		if r.def == nil {
			continue
		}
		p("## %s\n\n", r.title)
		for _, f := range fields(r.def) {
			p("<a id=\"%s\"></a>\n\n", OpAnchor(r.kind, f.Name))
			p("### %s `%s`\n\n", r.kind, f.Name)
			p("%s\n\n", strings.TrimSpace(f.Description))
			if d := deprecation(f.Directives); d != "" {
				p("%s\n\n", strings.TrimSpace(d))
			}
			p("- **Returns** %s\n", typeRef(s, f.Type))
			if a := Access(f.Description); a != "" {
				p("- **Access** %s\n", a)
			}
			if codes := Codes(f.Description); len(codes) > 0 {
				p("- **Errors named** %s\n", strings.Join(quote(codes), ", "))
			}
			if f.Position != nil && f.Position.Src != nil {
				p("- **Defined in** [%s](%s)\n", f.Position.Src.Name, f.Position.Src.Name)
			}
			p("\n")
			if len(f.Arguments) > 0 {
				argTable(&b, s, "argument", f.Arguments)
			}
		}
	}

	for _, k := range kinds {
		defs := definitions(s, k.kind)
		if len(defs) == 0 {
			continue
		}
		p("## %s\n\n", k.title)
		for _, d := range defs {
			p("<a id=\"%s\"></a>\n\n", Anchor(d.Name))
			p("### `%s`\n\n", d.Name)
			p("%s\n\n", strings.TrimSpace(d.Description))
			var facts []string
			if len(d.Interfaces) > 0 {
				facts = append(facts, "**Implements** "+strings.Join(links(s, d.Interfaces), ", "))
			}
			if len(d.Types) > 0 {
				facts = append(facts, "**One of** "+strings.Join(links(s, sorted(d.Types)), ", "))
			}
			if k.kind == ast.Interface {
				if impl := implementations(s, d); len(impl) > 0 {
					facts = append(facts, "**Implemented by** "+strings.Join(links(s, impl), ", "))
				}
			}
			if d.Position != nil && d.Position.Src != nil {
				facts = append(facts, fmt.Sprintf("**Defined in** [%s](%s)", d.Position.Src.Name, d.Position.Src.Name))
			}
			for _, f := range facts {
				p("- %s\n", f)
			}
			if len(facts) > 0 {
				p("\n")
			}
			switch k.kind {
			case ast.Object, ast.Interface:
				fieldTable(&b, s, fields(d))
			case ast.InputObject:
				argTable(&b, s, "field", inputFields(d))
			case ast.Enum:
				p("| value | meaning |\n|---|---|\n")
				for _, v := range d.EnumValues {
					p("| `%s` | %s |\n", v.Name, cell(v.Description)+deprecation(v.Directives))
				}
				p("\n")
			}
		}
	}
	return b.Bytes()
}

// fields are d's fields without introspection ones, by name.
func fields(d *ast.Definition) ast.FieldList {
	var out ast.FieldList
	for _, f := range d.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// inputFields are an input object's fields as arguments, in schema order
// (the order a client writes them in).
func inputFields(d *ast.Definition) ast.ArgumentDefinitionList {
	out := make(ast.ArgumentDefinitionList, 0, len(d.Fields))
	for _, f := range d.Fields {
		out = append(out, &ast.ArgumentDefinition{
			Name: f.Name, Description: f.Description, Type: f.Type, DefaultValue: f.DefaultValue,
		})
	}
	return out
}

// definitions are the public types of one kind, by name.
func definitions(s *ast.Schema, kind ast.DefinitionKind) []*ast.Definition {
	var out []*ast.Definition
	for _, d := range s.Types {
		if d.Kind == kind && public(s, d) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// implementations are the public objects implementing interface d, by name.
func implementations(s *ast.Schema, d *ast.Definition) []string {
	var out []string
	for _, impl := range s.GetPossibleTypes(d) {
		if impl.Name != d.Name {
			out = append(out, impl.Name)
		}
	}
	return sorted(out)
}

func sorted(names []string) []string {
	out := append([]string(nil), names...)
	sort.Strings(out)
	return out
}

func fieldTable(b *bytes.Buffer, s *ast.Schema, fs ast.FieldList) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "| field | type | description |\n|---|---|---|\n")
	for _, f := range fs {
		desc := cell(f.Description) + deprecation(f.Directives)
		for _, a := range f.Arguments {
			desc += fmt.Sprintf("<br>`%s`: %s%s — %s", a.Name, typeRef(s, a.Type), defaultValue(a.DefaultValue), cell(a.Description))
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.Name, typeRef(s, f.Type), desc)
	}
	fmt.Fprintf(b, "\n")
}

// argTable lists arguments, or an input object's fields (header "field").
func argTable(b *bytes.Buffer, s *ast.Schema, header string, args ast.ArgumentDefinitionList) {
	fmt.Fprintf(b, "| %s | type | description |\n|---|---|---|\n", header)
	for _, a := range args {
		fmt.Fprintf(b, "| `%s` | %s%s | %s |\n", a.Name, typeRef(s, a.Type), defaultValue(a.DefaultValue), cell(a.Description))
	}
	fmt.Fprintf(b, "\n")
}

func defaultValue(v *ast.Value) string {
	if v == nil {
		return ""
	}
	return " = `" + v.String() + "`"
}

// typeRef writes a type as GraphQL spells it, its named type linked to its
// section when the page has one.
func typeRef(s *ast.Schema, t *ast.Type) string {
	if t == nil {
		return ""
	}
	bang := ""
	if t.NonNull {
		bang = "!"
	}
	if t.Elem != nil {
		// Escaped, so that the list's brackets never pair with the link's.
		return `\[` + typeRef(s, t.Elem) + `\]` + bang
	}
	if d := s.Types[t.NamedType]; d != nil && public(s, d) {
		return fmt.Sprintf("[`%s`](#%s)%s", t.NamedType, Anchor(t.NamedType), bang)
	}
	return "`" + t.NamedType + "`" + bang
}

func links(s *ast.Schema, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = typeRef(s, &ast.Type{NamedType: n})
	}
	return out
}

func quote(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "`" + w + "`"
	}
	return out
}

// deprecation is " **Deprecated**: reason." for an element marked
// @deprecated, else "".
func deprecation(ds ast.DirectiveList) string {
	d := ds.ForName("deprecated")
	if d == nil {
		return ""
	}
	reason := "No longer supported"
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		reason = a.Value.Raw
	}
	return " **Deprecated**: " + cell(reason)
}

// cell makes a description fit one table cell: one line, pipes escaped.
func cell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
