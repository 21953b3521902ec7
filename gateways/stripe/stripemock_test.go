package stripe

import (
	"context"
	"strings"
	"testing"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
)

// TestStripeMock sends every request the plugin makes to stripe-mock, which
// validates it against Stripe's OpenAPI spec and answers with fixtures.
// stripe-mock keeps no state, so only the shapes of the mapped answers are
// checked.
func TestStripeMock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts stripe-mock")
	}
	base := gatewaytest.StripeMock(t)
	g, err := New(Config{SecretKey: "sk_test_123", WebhookSecret: testSecret, BaseURL: base, MaxNetworkRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eur := domain.Money{AmountMinor: 500, Currency: domain.EUR}
	// shape checks a mapped payment; echoed says the answer repeats the
	// request's amount (creates do; retrieve and confirm return a fixture).
	shape := func(t *testing.T, p domain.Payment, echoed bool) {
		t.Helper()
		if !strings.HasPrefix(p.ID, "pi_") || p.Amount.AmountMinor <= 0 || p.Amount.Currency == "" || p.Refunded < 0 {
			t.Fatalf("payment %+v: want a pi_ id, an amount and a currency", p)
		}
		if echoed && p.Amount != eur {
			t.Fatalf("payment amount %v, want %v", p.Amount, eur)
		}
		switch p.Status {
		case domain.PaymentPending, domain.PaymentRequiresAction:
			if p.NextAction == nil || p.NextAction.Kind != domain.NextActionConfirmClientSecret || p.NextAction.ClientSecret == "" {
				t.Fatalf("%s payment without a client secret: %+v", p.Status, p.NextAction)
			}
		case domain.PaymentProcessing, domain.PaymentSucceeded, domain.PaymentCanceled:
		case domain.PaymentFailed:
			if p.FailureReason == "" {
				t.Fatal("FAILED without a reason")
			}
		default:
			t.Fatalf("status %q", p.Status)
		}
	}
	request := func(pm string) domain.PaymentRequest {
		r := paymentRequest(pm)
		r.Amount = eur
		r.Customer.OrgID = "org_mock"
		return r
	}

	t.Run("a request off the spec is refused", func(t *testing.T) {
		// Shows that stripe-mock validates, so the calls below being
		// accepted means something.
		params := &stripe.PaymentIntentParams{Amount: stripe.Int64(500), Currency: stripe.String("eur")}
		params.Context = ctx
		params.AddExtra("no_such_parameter", "1")
		_, err := g.api.PaymentIntents.New(params)
		if domain.ErrorCode(mapError(err, "payment")) != domain.CodeInvalidInput {
			t.Fatalf("unknown parameter = %v, want INVALID_INPUT", err)
		}
	})
	t.Run("customer search", func(t *testing.T) {
		// stripe-mock's fixture customer carries no tally_org_id, so the
		// search finds nothing of ours.
		if id, err := g.findCustomer(ctx, "org_mock"); err != nil || id != "" {
			t.Fatalf("findCustomer = %q, %v", id, err)
		}
	})
	t.Run("customer create", func(t *testing.T) {
		id, err := g.createCustomer(ctx, domain.Customer{OrgID: "org_mock", Name: "Acme", Email: "billing@acme.test"})
		if err != nil || !strings.HasPrefix(id, "cus_") {
			t.Fatalf("createCustomer = %q, %v", id, err)
		}
	})
	var pending domain.Payment
	t.Run("create without payment method", func(t *testing.T) {
		p, err := g.CreatePayment(ctx, request(""))
		if err != nil {
			t.Fatal(err)
		}
		shape(t, p, true)
		pending = p
	})
	t.Run("create with payment method", func(t *testing.T) {
		p, err := g.CreatePayment(ctx, request("pm_card_visa"))
		if err != nil {
			t.Fatal(err)
		}
		shape(t, p, true)
	})
	t.Run("confirm", func(t *testing.T) {
		pi, err := g.confirm(ctx, pending.ID, "confirm-mock")
		if err != nil || pi.ID == "" {
			t.Fatalf("confirm = %v, %v", pi, err)
		}
		shape(t, toPayment(pi), false)
	})
	t.Run("confirm payment", func(t *testing.T) {
		p, err := g.ConfirmPayment(ctx, pending.ID, "confirm-mock-2")
		if err != nil {
			t.Fatal(err)
		}
		shape(t, p, false)
	})
	t.Run("retrieve", func(t *testing.T) {
		p, err := g.GetPayment(ctx, pending.ID)
		if err != nil {
			t.Fatal(err)
		}
		shape(t, p, false)
	})
	t.Run("refund", func(t *testing.T) {
		r, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: pending.ID, Amount: domain.Money{AmountMinor: 250, Currency: domain.EUR},
			Reason: "requested by customer", IdempotencyKey: "refund-mock"})
		if err != nil || !strings.HasPrefix(r.ID, "re_") || r.Amount.AmountMinor != 250 || r.Amount.Currency == "" {
			t.Fatalf("RefundPayment = %+v, %v", r, err)
		}
	})
}
