package graph

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Limits bound the work one GraphQL document may cause. They are checked
// before gqlgen validates the document and before any resolver or
// authorization runs, on every transport, in time linear in the document's
// text: fragments are measured once each, however often they are spread.
// A document over a limit is refused with one small INVALID_INPUT error.
type Limits struct {
	// QueryBytes caps the document's text.
	QueryBytes int
	// Tokens caps the document's lexical tokens; the parser stops there.
	Tokens int
	// Depth caps selection nesting; fragments count where they are spread,
	// introspection fields (__schema, __type, __typename) do not count.
	Depth int
	// Fields caps the field selections of the document's operations, with
	// fragments expanded where they are spread.
	Fields int
	// Aliases caps the aliased fields of the document's operations, with
	// fragments expanded.
	Aliases int
	// RootFields caps the top-level fields of one operation.
	RootFields int
	// MoneyMutations caps the root fields of one mutation that move money
	// or credits: those taking an idempotencyKey, directly or in their input.
	MoneyMutations int
	// Directives caps the directives written in the document.
	Directives int
	// Errors caps the errors one response reports; validation stops
	// collecting there.
	Errors int
}

// DefaultLimits are the limits of an unconfigured server.
func DefaultLimits() Limits {
	return Limits{
		QueryBytes:     32 << 10,
		Tokens:         10_000,
		Depth:          DefaultDepthLimit,
		Fields:         500,
		Aliases:        30,
		RootFields:     20,
		MoneyMutations: 5,
		Directives:     50,
		Errors:         100,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{
		{&l.QueryBytes, &d.QueryBytes}, {&l.Tokens, &d.Tokens}, {&l.Depth, &d.Depth},
		{&l.Fields, &d.Fields}, {&l.Aliases, &d.Aliases}, {&l.RootFields, &d.RootFields},
		{&l.MoneyMutations, &d.MoneyMutations}, {&l.Directives, &d.Directives}, {&l.Errors, &d.Errors},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// overlapFactor bounds the pairs of same-named fields that validation's
// overlap check compares (and may report as conflicts) to this many times
// Fields: that check is quadratic in such fields, and keeps every conflict
// it finds in memory before reporting any.
const overlapFactor = 10

// verdictCacheSize bounds the remembered verdicts (by query hash).
const verdictCacheSize = 2000

// operationLimits is the gqlgen extension enforcing Limits. It wraps the
// automatic persisted queries extension so that a query is measured before
// it can be stored, and a stored one when it is looked up.
type operationLimits struct {
	limits   Limits
	money    map[string]bool // root mutation fields that move money or credits
	apq      graphql.OperationParameterMutator
	verdicts graphql.Cache[*verdict]
}

// verdict is the remembered outcome of measuring one query text.
type verdict struct{ err *gqlerror.Error }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*operationLimits)(nil)

func newOperationLimits(schema *ast.Schema, l Limits, apq graphql.OperationParameterMutator) *operationLimits {
	return &operationLimits{
		limits:   l.withDefaults(),
		money:    moneyMutations(schema),
		apq:      apq,
		verdicts: lru.New[*verdict](verdictCacheSize),
	}
}

// ExtensionName names the extension.
func (*operationLimits) ExtensionName() string { return "OperationLimits" }

// Validate accepts any schema.
func (*operationLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the query (before and after an APQ
// lookup; not again when precheckBody checked the same text) and checks
// the variables' strings.
func (o *operationLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query != "" && !checkedQuery(ctx, p.Query) {
		if err := o.check(p.Query); err != nil {
			return err
		}
	}
	if o.apq != nil {
		sent := p.Query != ""
		if err := o.apq.MutateOperationParameters(ctx, p); err != nil {
			return err
		}
		if !sent && p.Query != "" {
			if err := o.check(p.Query); err != nil {
				return err
			}
		}
	}
	return checkStrings(p.Variables, "")
}

// check returns the verdict on a query text, measuring it on first sight.
func (o *operationLimits) check(query string) *gqlerror.Error {
	if len(query) > o.limits.QueryBytes {
		return limitError("the query text is %d bytes; the limit is %d", len(query), o.limits.QueryBytes)
	}
	sum := sha256.Sum256([]byte(query))
	key := string(sum[:])
	ctx := context.Background()
	if v, ok := o.verdicts.Get(ctx, key); ok {
		return v.err
	}
	err := o.measure(query)
	o.verdicts.Add(ctx, key, &verdict{err: err})
	return err
}

// measure parses a query and checks it against the limits. A syntax error
// other than the token limit is left for gqlgen to report.
func (o *operationLimits) measure(query string) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, o.limits.Tokens)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded token limit") {
			return limitError("the query has more than %d tokens", o.limits.Tokens)
		}
		return nil
	}
	return newMeter(doc, o.money).check(o.limits)
}

// cost is what a selection set (or fragment) costs where it is spread.
type cost struct {
	fields, aliases, depth int
	roots, money           int // fields at the set's own level, and money mutations among them
}

// satCap keeps saturating sums far from overflow: a fragment spread twice
// per level doubles its cost per level.
const satCap = 1 << 40

func sat(n int) int { return min(n, satCap) }

func (c cost) plus(d cost) cost {
	return cost{
		fields: sat(c.fields + d.fields), aliases: sat(c.aliases + d.aliases), depth: max(c.depth, d.depth),
		roots: sat(c.roots + d.roots), money: sat(c.money + d.money),
	}
}

// meter measures one document, each fragment once.
type meter struct {
	doc        *ast.QueryDocument
	money      map[string]bool
	frags      map[string]*ast.FragmentDefinition
	memo       map[string]cost
	active     map[string]bool
	used       map[string]bool // fragments spread, directly or not, by an operation
	inOps      bool            // measuring operations (not lone fragments)
	cycle      string          // a fragment found spreading itself
	directives int
	strErr     *gqlerror.Error // the first string literal that is not acceptable
	visits     int             // selections measured (each written selection once)
}

func newMeter(doc *ast.QueryDocument, money map[string]bool) *meter {
	m := &meter{
		doc: doc, money: money,
		frags:  make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		memo:   make(map[string]cost, len(doc.Fragments)),
		active: map[string]bool{}, used: map[string]bool{},
	}
	for _, f := range doc.Fragments {
		if _, dup := m.frags[f.Name]; !dup {
			m.frags[f.Name] = f
		}
	}
	return m
}

// check measures every operation and fragment and compares with l.
func (m *meter) check(l Limits) *gqlerror.Error {
	var total cost
	m.inOps = true
	for _, op := range m.doc.Operations {
		m.directives += len(op.Directives)
		for _, v := range op.VariableDefinitions {
			m.directives += len(v.Directives)
			m.value(v.DefaultValue)
		}
		c := m.set(op.SelectionSet)
		if c.roots > l.RootFields {
			return limitError("operation %s selects %s root fields; the limit is %d", opName(op), count(c.roots), l.RootFields)
		}
		if op.Operation == ast.Mutation && c.money > l.MoneyMutations {
			return limitError("operation %s has %s mutations that move money or credits; the limit is %d per request",
				opName(op), count(c.money), l.MoneyMutations)
		}
		total = total.plus(c)
	}
	m.inOps = false
	for _, f := range m.doc.Fragments {
		m.directives += len(f.Directives)
		m.fragment(f.Name) // measures fragments no operation spreads, too
	}
	switch {
	case m.cycle != "":
		return limitError("fragment %s spreads itself", m.cycle)
	case m.strErr != nil:
		return m.strErr
	case total.depth > l.Depth:
		return limitError("the query is nested %d levels deep; the limit is %d", total.depth, l.Depth)
	case total.fields > l.Fields:
		return limitError("the query selects %s fields with its fragments expanded; the limit is %d", count(total.fields), l.Fields)
	case total.aliases > l.Aliases:
		return limitError("the query has %s aliases with its fragments expanded; the limit is %d", count(total.aliases), l.Aliases)
	case m.directives > l.Directives:
		return limitError("the query has %d directives; the limit is %d", m.directives, l.Directives)
	}
	for _, f := range m.doc.Fragments {
		if !m.used[f.Name] {
			return limitError("fragment %s is never used", f.Name)
		}
	}
	// Expanded, the operations hold at most l.Fields fields: walking them
	// merged, as execution and validation see them, is bounded too.
	pairs := 0
	for _, op := range m.doc.Operations {
		pairs = sat(pairs + m.overlaps([]ast.SelectionSet{op.SelectionSet}))
	}
	if limit := overlapFactor * l.Fields; pairs > limit {
		return limitError("the query selects the same response names too often (%d pairs to merge; the limit is %d)", pairs, limit)
	}
	return nil
}

// set measures a selection set, spreading fragments from the memo.
func (m *meter) set(ss ast.SelectionSet) cost {
	var c cost
	m.visits += len(ss)
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			m.directives += len(s.Directives)
			for _, a := range s.Arguments {
				m.value(a.Value)
			}
			sub := m.set(s.SelectionSet)
			f := cost{fields: sat(sub.fields + 1), aliases: sub.aliases, depth: sub.depth + 1, roots: 1}
			if s.Alias != "" && s.Alias != s.Name {
				f.aliases = sat(f.aliases + 1)
			}
			if strings.HasPrefix(s.Name, "__") {
				f.depth = 0 // introspection has its own depth rule
			}
			if m.money[s.Name] {
				f.money = 1
			}
			c = c.plus(f)
		case *ast.InlineFragment:
			m.directives += len(s.Directives)
			c = c.plus(m.set(s.SelectionSet))
		case *ast.FragmentSpread:
			m.directives += len(s.Directives)
			c = c.plus(m.fragment(s.Name))
		}
	}
	return c
}

// fragment returns a fragment's cost, measuring it on first use.
func (m *meter) fragment(name string) cost {
	if m.inOps {
		m.used[name] = true
	}
	if c, ok := m.memo[name]; ok {
		return c
	}
	def := m.frags[name]
	if def == nil {
		return cost{} // unknown: validation reports it
	}
	if m.active[name] {
		m.cycle = name
		return cost{}
	}
	m.active[name] = true
	c := m.set(def.SelectionSet)
	delete(m.active, name)
	m.memo[name] = c
	return c
}

// value checks the string literals of an argument value.
func (m *meter) value(v *ast.Value) {
	if v == nil || m.strErr != nil {
		return
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		if err := checkString(v.Raw); err != "" {
			m.strErr = inputError("query", "a string in the query %s", err)
		}
	case ast.ListValue, ast.ObjectValue:
		for _, c := range v.Children {
			m.value(c.Value)
		}
	}
}

// overlaps counts the pairs of fields sharing a response name in the merged
// view of sets (fields of inline fragments and spreads lifted into their
// parent, same-named fields' selections merged), at every level. Validation
// compares at most these pairs. The caller has bounded the expanded size.
func (m *meter) overlaps(sets []ast.SelectionSet) int {
	groups := map[string][]*ast.Field{}
	var order []string
	var collect func(ss ast.SelectionSet)
	collect = func(ss ast.SelectionSet) {
		for _, sel := range ss {
			switch s := sel.(type) {
			case *ast.Field:
				if _, ok := groups[s.Alias]; !ok {
					order = append(order, s.Alias)
				}
				groups[s.Alias] = append(groups[s.Alias], s)
			case *ast.InlineFragment:
				collect(s.SelectionSet)
			case *ast.FragmentSpread:
				if def := m.frags[s.Name]; def != nil {
					collect(def.SelectionSet)
				}
			}
		}
	}
	for _, ss := range sets {
		collect(ss)
	}
	pairs := 0
	for _, name := range order {
		g := groups[name]
		pairs = sat(pairs + len(g)*(len(g)-1)/2)
		children := make([]ast.SelectionSet, 0, len(g))
		for _, f := range g {
			if len(f.SelectionSet) > 0 {
				children = append(children, f.SelectionSet)
			}
		}
		if len(children) > 0 {
			pairs = sat(pairs + m.overlaps(children))
		}
	}
	return pairs
}

// moneyMutations lists the Mutation fields that move money or credits: by
// the API's contract, exactly those taking an idempotencyKey, as an
// argument or as a field of an input argument.
func moneyMutations(schema *ast.Schema) map[string]bool {
	out := map[string]bool{}
	if schema == nil || schema.Mutation == nil {
		return out
	}
	for _, f := range schema.Mutation.Fields {
		for _, a := range f.Arguments {
			if a.Name == "idempotencyKey" {
				out[f.Name] = true
			}
			if in := schema.Types[a.Type.Name()]; in != nil && in.Kind == ast.InputObject && in.Fields.ForName("idempotencyKey") != nil {
				out[f.Name] = true
			}
		}
	}
	return out
}

// checkStrings refuses variables holding a string that is not acceptable
// text (see checkString); path names the offending variable.
func checkStrings(v any, path string) *gqlerror.Error {
	switch x := v.(type) {
	case string:
		if err := checkString(x); err != "" {
			return inputError(path, "%s", err)
		}
	case map[string]any:
		for k, e := range x {
			if err := checkStrings(e, join(path, k)); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkStrings(e, path); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkString returns why s is not acceptable text, or "": it must be
// valid UTF-8 without NUL characters (PostgreSQL's text cannot hold NUL;
// SQLite would keep it silently).
func checkString(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain NUL characters"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	}
	return ""
}

// limitError is the one small error for a document over a limit: a
// validation failure that the presenter shows as INVALID_INPUT
// on field "query".
func limitError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// inputError is an INVALID_INPUT error on one input field.
func inputError(field, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Path = ast.Path{ast.PathName(field)}
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

func opName(op *ast.OperationDefinition) string {
	if op.Name == "" {
		return "(anonymous)"
	}
	return op.Name
}

// count prints a saturated count as "more than 2^40".
func count(n int) string {
	if n >= satCap {
		return "more than 2^40"
	}
	return fmt.Sprint(n)
}

// cappedRules returns gqlgen's validation rules with error collection
// stopped after max errors, so a document full of mistakes cannot grow a
// response (or memory) without bound. Without suggestions, the rules that
// would answer "Did you mean …" are the plain ones.
func cappedRules(max int, suggestions bool) func() *rules.Rules {
	return func() *rules.Rules {
		base := rules.NewDefaultRules()
		if !suggestions {
			base.RemoveRule(rules.FieldsOnCorrectTypeRule.Name)
			base.RemoveRule(rules.ScalarLeafsRule.Name)
			base.AddRule(rules.FieldsOnCorrectTypeRuleWithoutSuggestions.Name, rules.FieldsOnCorrectTypeRuleWithoutSuggestions.RuleFunc)
			base.AddRule(rules.ScalarLeafsRuleWithoutSuggestions.Name, rules.ScalarLeafsRuleWithoutSuggestions.RuleFunc)
		}
		n := 0
		out := rules.NewRules()
		inner := base.GetInner()
		for _, name := range slices.Sorted(maps.Keys(inner)) {
			fn := inner[name]
			out.AddRule(name, func(obs *core.Events, addError core.AddErrFunc) {
				fn(obs, func(opts ...core.ErrorOption) {
					n++
					switch {
					case n < max:
						addError(opts...)
					case n == max:
						addError(core.Message("too many errors: validation stopped after %d", max))
					}
				})
			})
		}
		return out
	}
}
