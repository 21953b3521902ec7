package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tallyhq/tally/graph/generated"
)

// schema is the API's schema, for measuring documents against it.
var schema = generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()

// fanOut returns `query { ...F<levels> }` where each fragment spreads the
// one below it width times: the expanded document doubles (or more) per
// level while its text grows linearly.
func fanOut(levels, width int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...F%d }\n", levels)
	b.WriteString("fragment F0 on Query { __typename }\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query {", i)
		for range width {
			fmt.Fprintf(&b, " ...F%d", i-1)
		}
		b.WriteString(" }\n")
	}
	return b.String()
}

// repeat returns `{ ` + n copies of part + ` }`.
func repeat(part string, n int) string {
	return "{ " + strings.Repeat(part+" ", n) + "}"
}

func TestLimitsMeasure(t *testing.T) {
	aliases := func(n int, field string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, field)
		}
		return b.String()
	}
	deep := func(n int) string {
		return strings.Repeat("{ viewer ", n) + strings.Repeat("}", n)
	}
	tests := []struct {
		name  string
		query string
		want  string // substring of the refusal; "" accepts
	}{
		{"a debit", `mutation($o: ID!, $k: String!) { consumeCredits(input: {orgId: $o, amount: 1, idempotencyKey: $k}) { entry { id } balance { total } } }`, ""},
		{"a page with fragments", `query($id: ID!) { org(id: $id) { ...O } } fragment O on Org { name balance { ...B } } fragment B on Balance { total free paid }`, ""},
		{"fragment fan-out, 2 per level (955 bytes)", fanOut(25, 2), "fields"},
		{"fragment fan-out, 3 per level", fanOut(20, 3), "fields"},
		{"fragment fan-out, 60 levels saturates", fanOut(60, 2), "more than 2^40"},
		{"same field, other arguments, 1000 each (52 KB)", "{ " + strings.Repeat("packs(currency: EUR) { code } ", 1000) + strings.Repeat("packs(currency: USD) { code } ", 1000) + "}", "tokens"},
		{"same field, other arguments, under the token limit", "{ org(id: \"x\") { " + strings.Repeat("packs: ledger(first: 1) { pageInfo { hasNextPage } } ", 300) + "} }", "fields"},
		{"same field, other arguments, under the field cap", "{ org(id: \"x\") { " + strings.Repeat("ledger(first: 1) { pageInfo { hasNextPage } } ledger(first: 2) { pageInfo { hasNextPage } } ", 60) + "} }", "same response names"},
		{"many unknown directives", "{ __typename " + strings.Repeat("@a ", 100_000) + "}", "tokens"},
		{"directives under the token limit", "{ __typename " + strings.Repeat("@a ", 60) + "}", "directives"},
		{"aliased money mutations", "mutation { " + aliases(20, `consumeCredits(input: {orgId: "x", amount: 1, idempotencyKey: "k"}) { balance { total } }`) + "}", "move money"},
		{"aliases", `{ org(id: "x") { ` + aliases(31, "name") + "} }", "aliases"},
		{"root fields", repeat("plans { code }", 21), "root fields"},
		{"aliased subscriptions", "subscription { " + aliases(40, `balanceUpdated(orgId: "x") { balance { total } }`) + "}", "root fields"},
		{"too deep", deep(13), "nested 13 levels"},
		{"deep but allowed", deep(12), ""},
		{"introspection does not count depth", `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`, ""},
		{"fragment cycle", `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, "spreads itself"},
		{"unused fragment", `query { __typename } fragment A on Query { __typename }`, "never used"},
		{"NUL in a string literal", `{ packs(currency: EUR) { code } org(id: "a\u0000b") { id } }`, "NUL"},
		{"deep list value", "{ plans(currency: " + strings.Repeat("[", 4000) + strings.Repeat("]", 4000) + ") { code } }", ""},
		{"syntax errors are gqlgen's", `{ viewer `, ""},
	}
	op := newOperationLimits(schema, Limits{}, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := op.measure(tc.query)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted, want a refusal about %q", tc.want)
			case err != nil && !strings.Contains(err.Message, tc.want):
				t.Fatalf("refused with %q, want %q", err.Message, tc.want)
			case err != nil && (err.Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" || len(err.Message) > 200):
				t.Fatalf("refusal %+v: want one short validation error", err)
			}
		})
	}
}

// TestLimitsMeasureIsLinear counts the selections the meter visits: each
// fragment is measured once however often it is spread, so the work grows
// with the text (here 3 spreads per level), not with the expansion (3^n).
func TestLimitsMeasureIsLinear(t *testing.T) {
	for _, levels := range []int{10, 20, 40} {
		doc, err := parser.ParseQuery(&ast.Source{Input: fanOut(levels, 3)})
		if err != nil {
			t.Fatal(err)
		}
		m := newMeter(doc, nil)
		if err := m.check(DefaultLimits()); err == nil {
			t.Fatalf("%d levels accepted", levels)
		}
		if written := 1 + 1 + 3*levels; m.visits != written {
			t.Fatalf("%d levels: %d selections measured, %d written", levels, m.visits, written)
		}
	}
}

func TestMoneyMutations(t *testing.T) {
	got := moneyMutations(schema)
	for _, name := range []string{"consumeCredits", "grantCredits", "purchasePack", "refundOrder", "subscribe", "changePlan",
		"changeSeats", "cancelSubscription", "resumeSubscription", "setAutoRenew", "retrySubscriptionPayment", "addPaymentMethod",
		"setAutoRecharge", "resumeAutoRecharge", "checkoutOrder"} {
		if !got[name] {
			t.Errorf("%s is not counted as moving money", name)
		}
	}
	for _, name := range []string{"createOrg", "inviteMember", "cancelOrder", "removePaymentMethod", "setDefaultPaymentMethod",
		"createOrder", "addOrderItem", "setOrderItemQuantity", "removeOrderItem"} {
		if got[name] {
			t.Errorf("%s is counted as moving money", name)
		}
	}
}

func TestCheckStrings(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]any
		field string // "" accepts
	}{
		{"plain", map[string]any{"in": map[string]any{"reason": "chat", "n": 1.0}}, ""},
		{"NUL nested", map[string]any{"in": map[string]any{"reason": "a\x00b"}}, "in.reason"},
		{"invalid UTF-8 in a list", map[string]any{"ids": []any{"ok", "\xff"}}, "ids"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkStrings(tc.vars, "")
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && (err == nil || fieldOf("", err.Path) != tc.field):
				t.Fatalf("got %v, want a refusal of %s", err, tc.field)
			}
		})
	}
}

func validateWith(doc *ast.QueryDocument, r *rules.Rules) gqlerror.List {
	return validator.ValidateWithRules(schema, doc, r)
}

func TestCappedRules(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: "{ " + strings.Repeat("nope ", 300) + "}"})
	if err != nil {
		t.Fatal(err)
	}
	for _, suggestions := range []bool{true, false} {
		errs := validateWith(doc, cappedRules(100, suggestions)())
		if len(errs) != 100 || !strings.Contains(errs[99].Message, "stopped after 100") {
			t.Fatalf("suggestions %v: %d errors, last %v", suggestions, len(errs), errs[len(errs)-1])
		}
	}
}

func TestRequestMessage(t *testing.T) {
	msg := `Cannot query field "balanse" on type "Org". Did you mean "balance"?`
	if got := requestMessage(msg, true); got != `Cannot query field "balanse" on type "Org".` {
		t.Errorf("production: %q", got)
	}
	if got := requestMessage(msg, false); got != msg {
		t.Errorf("development: %q", got)
	}
	if got := requestMessage(strings.Repeat("é", 400), false); len(got) > maxRequestErrorMessage+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("long message: %d bytes", len(got))
	}
}

func TestVerdictCache(t *testing.T) {
	op := newOperationLimits(schema, Limits{}, nil)
	q := fanOut(25, 2)
	first := op.check(q)
	if first == nil || op.check(q) != first {
		t.Fatal("a refused query is not remembered")
	}
	if err := op.check(strings.Repeat(" ", 40<<10) + "{ __typename }"); err == nil || !strings.Contains(err.Message, "bytes") {
		t.Fatalf("long text: %v", err)
	}
	p := &graphql.RawParams{Query: "{ __typename }", Variables: map[string]any{"x": "a\x00"}}
	if err := op.MutateOperationParameters(context.Background(), p); err == nil {
		t.Fatal("NUL in a variable accepted")
	}
}

// BenchmarkLimits is the cost the limits add to a request whose query was
// seen before (the debit path): a hash and a cache lookup.
func BenchmarkLimits(b *testing.B) {
	op := newOperationLimits(schema, Limits{}, nil)
	q := `mutation Debit($orgId: ID!, $key: String!) { consumeCredits(input: {orgId: $orgId, amount: 1, idempotencyKey: $key}) { entry { id } balance { total } } }`
	vars := map[string]any{"orgId": "T3JnOjE", "key": "k-1"}
	b.ReportAllocs()
	for b.Loop() {
		if err := op.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: q, Variables: vars}); err != nil {
			b.Fatal(err)
		}
	}
}
