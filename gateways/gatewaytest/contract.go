// Package gatewaytest holds the contract suite every gateway plugin passes
// and helpers shared by the plugins' emulators.
package gatewaytest

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Outcome is how a payment made for the contract suite should end.
type Outcome int

// Outcomes the suite asks a harness for.
const (
	// Succeed: the payment is collected (possibly after Complete and
	// ConfirmPayment).
	Succeed Outcome = iota
	// Decline: the provider declines the card or the buyer's account.
	Decline
	// RequireAction: the buyer must authenticate or approve (3-D Secure,
	// PayPal approval) before the payment can succeed.
	RequireAction
)

// Harness drives one plugin through the contract. The plugin talks to a real
// counterpart: stripe-mock, an in-repo emulator of the provider's REST API,
// or (sandbox) itself.
type Harness struct {
	// Gateway is the plugin under test, configured against the emulator.
	Gateway domain.Gateway
	// Request returns a payment request that will end in outcome o. Amount,
	// currency and customer must be ones the gateway accepts.
	Request func(t *testing.T, o Outcome) domain.PaymentRequest
	// Complete plays the buyer's part for a payment waiting on them
	// (approves it on the emulated provider page, passes 3-D Secure). After
	// Complete, ConfirmPayment must succeed for a Succeed or RequireAction
	// payment.
	Complete func(t *testing.T, p domain.Payment)
	// Webhook returns a delivery, signed the way the provider signs, of an
	// event of the given kind about p. For EventPaymentRefunded, refunded is
	// the payment's cumulative refunded amount.
	Webhook func(t *testing.T, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest
	// Forge returns a delivery of the same event whose signature is wrong.
	Forge func(t *testing.T, p domain.Payment) domain.WebhookRequest
	// Stale returns a correctly signed delivery that is too old to accept;
	// nil when the provider's scheme has no timestamp.
	Stale func(t *testing.T, p domain.Payment) domain.WebhookRequest
	// Outage makes the provider fail with a 5xx (or time out) until the
	// returned function is called.
	Outage func(t *testing.T) (restore func())
}

// Run runs the contract suite against h.
func Run(t *testing.T, h Harness) {
	t.Helper()
	ctx := context.Background()
	gw := h.Gateway
	if gw.Name() == "" {
		t.Fatal("gateway has no name")
	}
	caps := gw.Capabilities()
	if len(caps.Currencies) == 0 || len(caps.Methods) == 0 {
		t.Fatalf("capabilities list no currency or method: %+v", caps)
	}

	succeed := func(t *testing.T, o Outcome) domain.Payment {
		t.Helper()
		req := h.Request(t, o)
		p, err := gw.CreatePayment(ctx, req)
		if err != nil {
			t.Fatalf("CreatePayment: %v", err)
		}
		if p.ID == "" {
			t.Fatal("CreatePayment returned no payment id")
		}
		if p.Amount != req.Amount {
			t.Fatalf("payment amount %v, want %v", p.Amount, req.Amount)
		}
		if p.Status != domain.PaymentSucceeded {
			if p.NextAction == nil {
				t.Fatalf("payment %s is %s without a next action", p.ID, p.Status)
			}
			h.Complete(t, p)
			p, err = gw.ConfirmPayment(ctx, p.ID, req.IdempotencyKey+"-confirm")
			if err != nil {
				t.Fatalf("ConfirmPayment: %v", err)
			}
		}
		if p.Status != domain.PaymentSucceeded {
			t.Fatalf("payment %s is %s, want SUCCEEDED", p.ID, p.Status)
		}
		// Settlement pays an order only for its total in its currency: a
		// success must say what it collected.
		if p.Amount != req.Amount {
			t.Fatalf("succeeded payment reports %v collected, want %v", p.Amount, req.Amount)
		}
		got, err := gw.GetPayment(ctx, p.ID)
		if err != nil {
			t.Fatalf("GetPayment: %v", err)
		}
		if got.Status != domain.PaymentSucceeded || got.Amount != req.Amount {
			t.Fatalf("GetPayment = %s %v, want SUCCEEDED %v", got.Status, got.Amount, req.Amount)
		}
		return got
	}

	t.Run("create and succeed", func(t *testing.T) {
		p := succeed(t, Succeed)
		again, err := gw.ConfirmPayment(ctx, p.ID, "confirm-again-"+p.ID)
		if err != nil || again.Status != domain.PaymentSucceeded {
			t.Fatalf("confirming a succeeded payment again = %s, %v; want SUCCEEDED", again.Status, err)
		}
	})

	t.Run("check before create", func(t *testing.T) {
		c, ok := gw.(domain.PaymentChecker)
		if !ok {
			t.Fatal("the gateway does not implement domain.PaymentChecker: purchasePack could not refuse what it refuses before an order is written")
		}
		// What CheckPayment accepts goes on to the provider; what it
		// refuses, CreatePayment refuses the same way without a payment.
		for _, o := range []Outcome{Succeed, Decline, RequireAction} {
			if err := c.CheckPayment(h.Request(t, o)); err != nil {
				t.Fatalf("CheckPayment of a request for outcome %d: %v", o, err)
			}
		}
		bad := h.Request(t, Succeed)
		bad.Amount.AmountMinor = 0
		cerr := c.CheckPayment(bad)
		p, err := gw.CreatePayment(ctx, bad)
		if domain.ErrorCode(cerr) != domain.CodeInvalidInput || domain.ErrorCode(err) != domain.CodeInvalidInput || p.ID != "" {
			t.Fatalf("a zero amount: CheckPayment %v, CreatePayment %+v, %v; want INVALID_INPUT from both and no payment", cerr, p, err)
		}
	})

	t.Run("decline", func(t *testing.T) {
		req := h.Request(t, Decline)
		p, err := gw.CreatePayment(ctx, req)
		if err == nil && p.Status != domain.PaymentFailed {
			if p.NextAction == nil {
				t.Fatalf("declined payment is %s with no next action", p.Status)
			}
			h.Complete(t, p)
			p, err = gw.ConfirmPayment(ctx, p.ID, req.IdempotencyKey+"-confirm")
		}
		if err != nil && domain.ErrorCode(err) != domain.CodePaymentFailed {
			t.Fatalf("decline error code %s (%v), want PAYMENT_FAILED", domain.ErrorCode(err), err)
		}
		// A decline, as an error or not, comes with its FAILED payment and
		// the provider's reason, which a later read reports the same way:
		// the order records one form of it however it learns of it.
		if p.Status != domain.PaymentFailed || p.FailureReason == "" {
			t.Fatalf("declined payment = %s (reason %q, error %v), want FAILED with a reason", p.Status, p.FailureReason, err)
		}
		if p.ID == "" {
			return
		}
		if got, gerr := gw.GetPayment(ctx, p.ID); gerr == nil && got.Status == domain.PaymentFailed && got.FailureReason != p.FailureReason {
			t.Fatalf("the decline's reason is %q, GetPayment reports %q: want one form", p.FailureReason, got.FailureReason)
		}
	})

	t.Run("requires action", func(t *testing.T) {
		req := h.Request(t, RequireAction)
		p, err := gw.CreatePayment(ctx, req)
		if err != nil {
			t.Fatalf("CreatePayment: %v", err)
		}
		if p.Status == domain.PaymentSucceeded || p.NextAction == nil || p.NextAction.Kind == domain.NextActionNone {
			t.Fatalf("payment = %s, next action %+v; want a pending payment with an action", p.Status, p.NextAction)
		}
		switch p.NextAction.Kind {
		case domain.NextActionRedirect:
			if p.NextAction.URL == "" {
				t.Fatal("redirect without a URL")
			}
		case domain.NextActionConfirmClientSecret:
			if p.NextAction.ClientSecret == "" {
				t.Fatal("client-secret action without a secret")
			}
		default:
			t.Fatalf("unknown next action %q", p.NextAction.Kind)
		}
		got, err := gw.GetPayment(ctx, p.ID)
		if err != nil || got.Status == domain.PaymentSucceeded {
			t.Fatalf("before the buyer acts GetPayment = %s, %v; want not SUCCEEDED", got.Status, err)
		}
		h.Complete(t, p)
		p, err = gw.ConfirmPayment(ctx, p.ID, req.IdempotencyKey+"-confirm")
		if err != nil || p.Status != domain.PaymentSucceeded {
			t.Fatalf("after the buyer acted ConfirmPayment = %s, %v; want SUCCEEDED", p.Status, err)
		}
	})

	t.Run("refund partial then the rest", func(t *testing.T) {
		if !caps.Refunds {
			t.Skip("gateway does not refund")
		}
		p := succeed(t, Succeed)
		part := p.Amount
		if caps.PartialRefunds {
			part.AmountMinor = p.Amount.AmountMinor / 4
			r, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: part, Reason: "partial", IdempotencyKey: "refund-1-" + p.ID})
			if err != nil || r.ID == "" || r.Amount != part {
				t.Fatalf("partial refund = %+v, %v; want %v", r, err, part)
			}
			got, err := gw.GetPayment(ctx, p.ID)
			if err != nil || got.Refunded != part.AmountMinor {
				t.Fatalf("after a partial refund refunded = %d, %v; want %d", got.Refunded, err, part.AmountMinor)
			}
			part.AmountMinor = p.Amount.AmountMinor - part.AmountMinor
		}
		r, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: part, Reason: "rest", IdempotencyKey: "refund-2-" + p.ID})
		if err != nil || r.Amount != part {
			t.Fatalf("refund = %+v, %v; want %v", r, err, part)
		}
		got, err := gw.GetPayment(ctx, p.ID)
		if err != nil || got.Refunded != p.Amount.AmountMinor {
			t.Fatalf("after refunding all refunded = %d, %v; want %d", got.Refunded, err, p.Amount.AmountMinor)
		}
		over := domain.Money{AmountMinor: 1, Currency: p.Amount.Currency}
		if _, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: over, IdempotencyKey: "refund-3-" + p.ID}); err == nil {
			t.Fatal("refunding more than was paid succeeded")
		}
	})

	t.Run("webhook parse", func(t *testing.T) {
		p := succeed(t, Succeed)
		for _, kind := range []domain.WebhookEventKind{domain.EventPaymentSucceeded, domain.EventPaymentFailed, domain.EventPaymentRefunded} {
			refunded := int64(0)
			if kind == domain.EventPaymentRefunded {
				refunded = p.Amount.AmountMinor / 2
			}
			req := h.Webhook(t, kind, p, refunded)
			evs, err := gw.ParseWebhook(ctx, req)
			if err != nil {
				t.Fatalf("%s: ParseWebhook: %v", kind, err)
			}
			if len(evs) != 1 {
				t.Fatalf("%s: %d events, want 1", kind, len(evs))
			}
			ev := evs[0]
			if ev.ID == "" || ev.Kind != kind || ev.PaymentID != p.ID {
				t.Fatalf("%s: event %+v, want kind %s about payment %s with an id", kind, ev, kind, p.ID)
			}
			if kind == domain.EventPaymentRefunded && ev.Refunded != refunded {
				t.Fatalf("refund event says %d refunded, want %d", ev.Refunded, refunded)
			}
			if kind == domain.EventPaymentSucceeded && ev.Amount != p.Amount {
				t.Fatalf("success event reports %v collected, want the payment's %v", ev.Amount, p.Amount)
			}
			again, err := gw.ParseWebhook(ctx, req)
			if err != nil || len(again) != 1 || again[0].ID != ev.ID {
				t.Fatalf("a redelivery parsed to %+v, %v; want the same event id %s", again, err, ev.ID)
			}
		}
	})

	t.Run("bad signature", func(t *testing.T) {
		p := succeed(t, Succeed)
		cases := map[string]domain.WebhookRequest{
			"forged":   h.Forge(t, p),
			"unsigned": {Header: nil, Body: h.Webhook(t, domain.EventPaymentSucceeded, p, 0).Body},
		}
		if h.Stale != nil {
			cases["stale"] = h.Stale(t, p)
		}
		for name, req := range cases {
			evs, err := gw.ParseWebhook(ctx, req)
			if domain.ErrorCode(err) != domain.CodeInvalidInput || len(evs) != 0 {
				t.Errorf("%s webhook = %v, %v; want INVALID_INPUT and no events", name, evs, err)
			}
		}
	})

	t.Run("unknown payment", func(t *testing.T) {
		if _, err := gw.GetPayment(ctx, "does-not-exist"); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("GetPayment(unknown) = %v, want NOT_FOUND", err)
		}
	})

	t.Run("outage", func(t *testing.T) {
		if h.Outage == nil {
			t.Skip("harness cannot break its provider")
		}
		restore := h.Outage(t)
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err := gw.CreatePayment(ctx, h.Request(t, Succeed))
		restore()
		if domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("CreatePayment during an outage = %v, want GATEWAY_UNAVAILABLE", err)
		}
	})
}
