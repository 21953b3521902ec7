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
	t.Run("setup intent", func(t *testing.T) {
		// stripe-mock answers a fixture SetupIntent whatever its state;
		// that the request is accepted is what counts.
		si, err := g.newSetupIntent(ctx, domain.SaveMethodRequest{Customer: domain.Customer{OrgID: "org_mock"},
			Token: "pm_card_visa", IdempotencyKey: "save-mock"}, "cus_mock")
		if err != nil || !strings.HasPrefix(si.ID, "seti_") {
			t.Fatalf("newSetupIntent = %+v, %v", si, err)
		}
		for _, st := range []stripe.SetupIntentStatus{stripe.SetupIntentStatusSucceeded, stripe.SetupIntentStatusRequiresAction} {
			s := *si
			s.Status = st
			if s.PaymentMethod == nil {
				s.PaymentMethod = &stripe.PaymentMethod{ID: "pm_card_visa"}
			}
			if m, err := savedFromSetup(&s, "cus_mock"); err != nil || m.Ref == "" || m.Ready != (st == stripe.SetupIntentStatusSucceeded) {
				t.Fatalf("savedFromSetup(%s) = %+v, %v", st, m, err)
			}
		}
	})
	t.Run("save method", func(t *testing.T) {
		_, err := g.SaveMethod(ctx, domain.SaveMethodRequest{Customer: domain.Customer{OrgID: "org_mock"}, CustomerRef: "cus_mock",
			Token: "pm_card_visa", IdempotencyKey: "save-mock-2"})
		// The fixture is requires_payment_method without an error: a
		// failed setup as the plugin reads it, never a refused request.
		if c := domain.ErrorCode(err); c != "" && c != domain.CodePaymentFailed {
			t.Fatalf("SaveMethod = %v", err)
		}
	})
	t.Run("complete save", func(t *testing.T) {
		_, err := g.CompleteSave(ctx, domain.SavedMethod{SetupRef: "seti_mock", CustomerRef: "cus_mock"})
		if c := domain.ErrorCode(err); c != "" && c != domain.CodePaymentFailed {
			t.Fatalf("CompleteSave = %v", err)
		}
	})
	t.Run("remove method", func(t *testing.T) {
		if err := g.RemoveMethod(ctx, domain.SavedMethod{Ref: "pm_card_visa"}); err != nil {
			t.Fatalf("RemoveMethod = %v", err)
		}
	})
	t.Run("off-session charge", func(t *testing.T) {
		r := request("")
		r.Saved = &domain.SavedMethod{Ref: "pm_card_visa", CustomerRef: "cus_mock", Ready: true}
		p, err := g.CreatePayment(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		shape(t, p, true)
	})
	t.Run("refund", func(t *testing.T) {
		r, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: pending.ID, Amount: domain.Money{AmountMinor: 250, Currency: domain.EUR},
			Reason: "requested by customer", IdempotencyKey: "refund-mock"})
		if err != nil || !strings.HasPrefix(r.ID, "re_") || r.Amount.AmountMinor != 250 || r.Amount.Currency == "" {
			t.Fatalf("RefundPayment = %+v, %v", r, err)
		}
	})
}
