package stripe

import (
	"context"
	"errors"
	"strings"
	"testing"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

func TestCreatePaymentWithoutPaymentMethodWaitsForElements(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	req := paymentRequest("")
	p, err := g.CreatePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != domain.PaymentPending || p.NextAction == nil || p.NextAction.Kind != domain.NextActionConfirmClientSecret ||
		!strings.HasPrefix(p.NextAction.ClientSecret, p.ID+"_secret") {
		t.Fatalf("payment %+v, want PENDING with the client secret", p)
	}
	reqs := f.Requests()
	create := reqs[len(reqs)-1]
	want := map[string]string{
		"amount": "1000", "currency": "eur", "automatic_payment_methods[enabled]": "true", "confirm": "",
		"payment_method": "", "description": "Standard pack", "metadata[tally_order_id]": req.OrderID,
		"metadata[tally_order_number]": req.OrderNumber, "metadata[tally_org_id]": "org_1",
	}
	for k, v := range want {
		if got := create.Form.Get(k); got != v {
			t.Errorf("create sent %s=%q, want %q", k, got, v)
		}
	}
	if create.IdempotencyKey != req.IdempotencyKey || !strings.HasPrefix(create.Form.Get("customer"), "cus_") {
		t.Errorf("create sent key %q customer %q", create.IdempotencyKey, create.Form.Get("customer"))
	}
	if err := f.Complete(p.ID); err != nil {
		t.Fatal(err)
	}
	p, err = g.ConfirmPayment(ctx, p.ID, req.IdempotencyKey+"-confirm")
	if err != nil || p.Status != domain.PaymentSucceeded {
		t.Fatalf("ConfirmPayment = %+v, %v; want SUCCEEDED", p, err)
	}
}

func TestCreatePaymentIsIdempotent(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	req := paymentRequest("pm_card_visa")
	first, err := g.CreatePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.CreatePayment(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry = %+v, %v; want the first payment %s", again, err, first.ID)
	}
	if _, intents, _ := f.Counts(); intents != 1 {
		t.Fatalf("%d payment intents, want 1", intents)
	}
	req.Amount.AmountMinor++
	if _, err := g.CreatePayment(ctx, req); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("same key, other amount = %v; want INVALID_INPUT", err)
	}
}

func TestCreatePaymentDeclineCarriesReason(t *testing.T) {
	g, _ := newTestGateway(t)
	_, err := g.CreatePayment(context.Background(), paymentRequest("pm_card_chargeDeclinedStolenCard"))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodePaymentFailed || de.Message != "card declined: stolen_card" {
		t.Fatalf("decline = %v, want PAYMENT_FAILED card declined: stolen_card", err)
	}
	var se *stripe.Error
	if !errors.As(err, &se) || se.PaymentIntent == nil || se.PaymentIntent.ID == "" {
		t.Fatalf("the Stripe error (with its PaymentIntent) is not wrapped: %v", err)
	}
}

func TestCreatePaymentValidates(t *testing.T) {
	g, f := newTestGateway(t, func(c *Config) { c.Currencies = []domain.Currency{domain.EUR} })
	tests := []struct {
		name  string
		mod   func(*domain.PaymentRequest)
		field string
	}{
		{"zero amount", func(r *domain.PaymentRequest) { r.Amount.AmountMinor = 0 }, "amount"},
		{"currency not configured", func(r *domain.PaymentRequest) { r.Amount.Currency = domain.USD }, "currency"},
		{"installments", func(r *domain.PaymentRequest) { r.Installments = 3 }, "installments"},
		{"paypal", func(r *domain.PaymentRequest) { r.Method = domain.MethodPayPal }, "method"},
		{"idempotency key too long", func(r *domain.PaymentRequest) { r.IdempotencyKey = strings.Repeat("k", 256) }, "idempotencyKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := paymentRequest("pm_card_visa")
			tt.mod(&req)
			_, err := g.CreatePayment(context.Background(), req)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != tt.field {
				t.Fatalf("CreatePayment = %v, want INVALID_INPUT on %s", err, tt.field)
			}
		})
	}
	if _, intents, _ := f.Counts(); intents != 0 {
		t.Fatalf("refused requests reached Stripe: %d intents", intents)
	}
}

func TestConfirmPayment(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	p, err := g.CreatePayment(ctx, paymentRequest("pm_card_threeDSecure2Required"))
	if err != nil || p.Status != domain.PaymentRequiresAction {
		t.Fatalf("CreatePayment = %+v, %v", p, err)
	}
	// The buyer has not passed 3-D Secure yet: nothing to confirm.
	p, err = g.ConfirmPayment(ctx, p.ID, "k1")
	if err != nil || p.Status != domain.PaymentRequiresAction || p.NextAction == nil {
		t.Fatalf("ConfirmPayment before the buyer acted = %+v, %v; want REQUIRES_ACTION", p, err)
	}
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "/confirm") {
			t.Fatalf("confirmed an intent that waits for the buyer: %+v", r)
		}
	}
	if _, err := g.ConfirmPayment(ctx, "pi_unknown", "k2"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("ConfirmPayment(unknown) = %v, want NOT_FOUND", err)
	}
	if _, err := g.GetPayment(ctx, ""); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("GetPayment(\"\") = %v, want NOT_FOUND", err)
	}
}

func TestRefundPayment(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	p, err := g.CreatePayment(ctx, paymentRequest("pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	eur := func(n int64) domain.Money { return domain.Money{AmountMinor: n, Currency: domain.EUR} }
	r, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: eur(300), Reason: "goodwill", IdempotencyKey: "ref-1"})
	if err != nil || r.Amount != eur(300) || r.Pending || !strings.HasPrefix(r.ID, "re_") {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	last := f.Requests()[len(f.Requests())-1]
	if last.IdempotencyKey != "ref-1" || last.Form.Get("metadata[reason]") != "goodwill" || last.Form.Get("payment_intent") != p.ID || last.Form.Get("amount") != "300" {
		t.Fatalf("refund request %+v", last)
	}
	again, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: eur(300), Reason: "goodwill", IdempotencyKey: "ref-1"})
	if err != nil || again.ID != r.ID {
		t.Fatalf("retried refund = %+v, %v; want %s again", again, err, r.ID)
	}
	if got, _ := g.GetPayment(ctx, p.ID); got.Refunded != 300 {
		t.Fatalf("refunded %d after one refund of 300 retried, want 300", got.Refunded)
	}
	tests := []struct {
		name string
		req  domain.RefundRequest
		code domain.Code
	}{
		{"more than is left", domain.RefundRequest{PaymentID: p.ID, Amount: eur(701), IdempotencyKey: "ref-2"}, domain.CodeInvalidInput},
		{"zero", domain.RefundRequest{PaymentID: p.ID, Amount: eur(0), IdempotencyKey: "ref-3"}, domain.CodeInvalidInput},
		{"unknown payment", domain.RefundRequest{PaymentID: "pi_unknown", Amount: eur(100), IdempotencyKey: "ref-4"}, domain.CodeNotFound},
		{"no payment", domain.RefundRequest{Amount: eur(100), IdempotencyKey: "ref-5"}, domain.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := g.RefundPayment(ctx, tt.req); domain.ErrorCode(err) != tt.code {
				t.Fatalf("RefundPayment = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestRefundStatuses(t *testing.T) {
	tests := []struct {
		status  string
		pending bool
		code    domain.Code
	}{
		{"succeeded", false, ""},
		{"pending", true, ""},
		{"requires_action", true, ""},
		{"failed", false, domain.CodePaymentFailed},
		{"canceled", false, domain.CodePaymentFailed},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			g, f := newTestGateway(t)
			f.Script(200, `{"id":"re_1","object":"refund","amount":500,"currency":"usd","status":"`+tt.status+`","failure_reason":"lost_or_stolen_card"}`)
			r, err := g.RefundPayment(context.Background(), domain.RefundRequest{PaymentID: "pi_1", Amount: domain.Money{AmountMinor: 500, Currency: domain.USD}})
			if domain.ErrorCode(err) != tt.code {
				t.Fatalf("RefundPayment = %+v, %v; want code %q", r, err, tt.code)
			}
			if err == nil && (r.Pending != tt.pending || r.Amount != (domain.Money{AmountMinor: 500, Currency: domain.USD})) {
				t.Fatalf("refund %+v, want pending=%v 5.00 USD", r, tt.pending)
			}
		})
	}
}
