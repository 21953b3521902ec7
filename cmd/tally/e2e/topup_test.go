package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tallyhq/tally/gateways/sandbox"
)

// topUp runs topUp with in and returns the raw result.
func (c *client) topUp(t testing.TB, in map[string]any) result {
	t.Helper()
	return c.do(t, `mutation($in: TopUpInput!) { topUp(input: $in) {
  order { `+orderFields+` } nextAction { kind redirectUrl clientSecret } } }`, map[string]any{"in": in})
}

// mustTopUp runs topUp and decodes the checkout.
func (c *client) mustTopUp(t testing.TB, in map[string]any) checkout {
	t.Helper()
	r := c.topUp(t, in)
	if len(r.Errors) > 0 {
		t.Fatalf("topUp: %+v", r.Errors)
	}
	var co checkout
	if err := json.Unmarshal(r.Data["topUp"], &co); err != nil {
		t.Fatal(err)
	}
	return co
}

// topUpQuote is the part of a PurchaseQuote the tests read.
type topUpQuote struct {
	Credits  int64
	Rounding string
	Lines    []struct{ Kind, Description string }
	Subtotal struct{ AmountMinor int64 }
	Tax      struct{ AmountMinor int64 }
	Total    struct {
		AmountMinor int64
		Amount      string
	}
}

const topUpQuoteQuery = `query($o: ID!, $m: Int64, $a: String) { topUpQuote(orgId: $o, amountMinor: $m, amount: $a) {
  credits rounding lines { kind description } subtotal { amountMinor } tax { amountMinor } total { amountMinor amount } } }`

// TestTopUpWithSandbox: the default catalog's top-up options, a quote,
// then the top-up it quoted paid with a test card (the balance rises by
// exactly the quoted credits, the invoice carries the TOP_UP line), a
// replay, a reused key, a decline that changes nothing, a bad amount that
// writes nothing, 3-D Secure, and a top-up paid with the org's default
// saved card when none is named — on both stores.
func TestTopUpWithSandbox(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret)

		var opts struct {
			Credits            int64
			Per, Min, Max      struct{ Amount string }
			Presets            []struct{ Amount string }
			Validity, Rounding string
		}
		s.as("").must(t, `{ topUpOptions(currency: EUR) { credits per { amount } min { amount } max { amount } presets { amount } validity rounding } }`,
			nil, "topUpOptions", &opts)
		if opts.Credits != 1_000_000 || opts.Per.Amount != "5.00" || opts.Min.Amount != "10.00" || opts.Max.Amount != "10000.00" ||
			len(opts.Presets) != 5 || opts.Presets[0].Amount != "50.00" || opts.Presets[4].Amount != "1000.00" || opts.Validity != "NEVER" ||
			!strings.Contains(opts.Rounding, "rounded down") {
			t.Fatalf("topUpOptions(EUR) = %+v", opts)
		}

		owner := s.user(t, "owner@topup.example")
		org := owner.createOrg(t, "Topup", "DE", "EUR")
		start := owner.balance(t, org)

		var q topUpQuote
		owner.must(t, topUpQuoteQuery, map[string]any{"o": org, "a": "100.00"}, "topUpQuote", &q)
		if q.Credits != 20_000_000 || q.Subtotal.AmountMinor != 10000 || q.Tax.AmountMinor != 1900 || q.Total.Amount != "119.00" ||
			len(q.Lines) != 1 || q.Lines[0].Kind != "TOP_UP" || q.Lines[0].Description != "Top-up 100.00 EUR: 20,000,000 credits" ||
			!strings.Contains(q.Rounding, "nothing is rounded") {
			t.Fatalf("quote = %+v", q)
		}

		in := map[string]any{"orgId": org, "amount": "100.00", "paymentMethodId": sandbox.CardSucceeds, "idempotencyKey": "top-1"}
		co := owner.mustTopUp(t, in)
		o := co.Order
		if o.Status != "PAID" || o.Gateway != "sandbox" || o.Credits != q.Credits || o.Total.AmountMinor != q.Total.AmountMinor ||
			len(o.Lines) != 1 || o.Lines[0].Kind != "TOP_UP" || o.Lines[0].Description != q.Lines[0].Description {
			t.Fatalf("order = %+v", o)
		}
		if got := owner.balance(t, org); got != start+q.Credits {
			t.Fatalf("balance %d, want %d + %d", got, start, q.Credits)
		}
		owner.checkInvoicePDF(t, o)

		// The same key: the same order, nothing charged again; in minor units
		// it is the same request. Another amount under it: CONFLICT.
		again := owner.mustTopUp(t, map[string]any{"orgId": org, "amountMinor": 10000, "paymentMethodId": sandbox.CardSucceeds, "idempotencyKey": "top-1"})
		if again.Order.ID != o.ID {
			t.Fatalf("a replay made order %s, want %s", again.Order.ID, o.ID)
		}
		if r := owner.topUp(t, map[string]any{"orgId": org, "amount": "200.00", "paymentMethodId": sandbox.CardSucceeds, "idempotencyKey": "top-1"}); r.code() != "CONFLICT" {
			t.Fatalf("reused key with another amount: %+v", r.Errors)
		}

		// A decline: PAYMENT_FAILED, no credits.
		before := owner.balance(t, org)
		if r := owner.topUp(t, map[string]any{"orgId": org, "amount": "50", "paymentMethodId": sandbox.CardDeclined, "idempotencyKey": "top-declined"}); r.code() != "PAYMENT_FAILED" {
			t.Fatalf("declined card: %+v", r.Errors)
		}
		orders := countAllOrders(t, owner, org)
		// Bad amounts: INVALID_INPUT on amount, no order.
		for _, a := range []map[string]any{{"amount": "50.001"}, {"amount": "9.99"}, {"amountMinor": 1_000_001}, {"amount": "50", "amountMinor": 5000}, {}} {
			a["orgId"], a["paymentMethodId"], a["idempotencyKey"] = org, sandbox.CardSucceeds, "top-bad"
			if r := owner.topUp(t, a); r.code() != "INVALID_INPUT" || r.Errors[0].Extensions.Field != "amount" {
				t.Fatalf("amount %v: %+v", a, r.Errors)
			}
		}
		if n := countAllOrders(t, owner, org); n != orders {
			t.Fatalf("bad amounts made %d orders", n-orders)
		}
		if got := owner.balance(t, org); got != before {
			t.Fatalf("balance %d after a decline and bad amounts, want %d", got, before)
		}

		// 3-D Secure: a redirect to the hosted page, no credits yet.
		co = owner.mustTopUp(t, map[string]any{"orgId": org, "amount": "50", "paymentMethodId": sandbox.CardRequiresAction, "idempotencyKey": "top-3ds"})
		if co.Order.Status != "REQUIRES_ACTION" || co.NextAction == nil || co.NextAction.Kind != "REDIRECT" {
			t.Fatalf("3-D Secure top-up = %+v", co)
		}

		// The org's default saved card pays when no method is named.
		owner.mustAddMethod(t, org, sandbox.CardSucceeds, "pm-default")
		before = owner.balance(t, org)
		co = owner.mustTopUp(t, map[string]any{"orgId": org, "amount": "50.00", "idempotencyKey": "top-saved"})
		if co.Order.Status != "PAID" || co.Order.Credits != 10_000_000 || co.Order.Method == nil || *co.Order.Method != "CARD" {
			t.Fatalf("top-up with the default card = %+v", co.Order)
		}
		if got := owner.balance(t, org); got != before+10_000_000 {
			t.Fatalf("balance %d after paying with the saved card, want %d", got, before+10_000_000)
		}
	})
}
