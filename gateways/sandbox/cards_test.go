package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestCreatePaymentCards(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		card       string
		wantStatus domain.PaymentStatus
		wantCode   domain.Code
		wantMsg    string
		wantReason string
		wantAction bool
		// wantEvent is the webhook the create sends ("" for none).
		wantEvent string
	}{
		{name: "succeeds", card: "4242424242424242", wantStatus: domain.PaymentSucceeded, wantEvent: EventSucceeded},
		{name: "succeeds with spaces", card: "4242 4242 4242 4242", wantStatus: domain.PaymentSucceeded, wantEvent: EventSucceeded},
		{name: "generic decline", card: "4000000000000002", wantStatus: domain.PaymentFailed, wantCode: domain.CodePaymentFailed,
			wantMsg: "card declined: generic_decline", wantReason: "generic_decline", wantEvent: EventFailed},
		{name: "insufficient funds", card: "4000-0000-0000-9995", wantStatus: domain.PaymentFailed, wantCode: domain.CodePaymentFailed,
			wantMsg: "card declined: insufficient_funds", wantReason: "insufficient_funds", wantEvent: EventFailed},
		{name: "requires action", card: "4000002500003155", wantStatus: domain.PaymentRequiresAction, wantAction: true},
		{name: "processing", card: "4000000000000259", wantStatus: domain.PaymentProcessing, wantEvent: EventSucceeded},
		{name: "no card", card: "", wantStatus: domain.PaymentPending, wantAction: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, rec := newTestGateway(t, Config{})
			req := paymentRequest(tt.card)
			p, err := g.CreatePayment(ctx, req)
			if domain.ErrorCode(err) != tt.wantCode {
				t.Fatalf("CreatePayment error %v, want code %q", err, tt.wantCode)
			}
			if tt.wantMsg != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Message != tt.wantMsg || !errors.Is(err, ErrDeclined) {
					t.Fatalf("error %v, want message %q wrapping ErrDeclined", err, tt.wantMsg)
				}
			}
			if p.ID == "" || p.Status != tt.wantStatus || p.Amount != req.Amount || p.FailureReason != tt.wantReason {
				t.Fatalf("payment %+v, want %s for %v (reason %q)", p, tt.wantStatus, req.Amount, tt.wantReason)
			}
			if tt.wantAction {
				want := "http://tally.test/sandbox/pay/" + p.ID
				if p.NextAction == nil || p.NextAction.Kind != domain.NextActionRedirect || p.NextAction.URL != want {
					t.Fatalf("next action %+v, want REDIRECT to %s", p.NextAction, want)
				}
			} else if p.NextAction != nil {
				t.Fatalf("next action %+v, want none", p.NextAction)
			}
			if tt.wantEvent == "" {
				// Nothing is sent until the buyer acts; Close drains any delivery.
				_ = g.Close()
				rec.none(t)
				return
			}
			ev, _ := rec.next(t)
			if ev.Type != tt.wantEvent || ev.Data.PaymentID != p.ID || ev.Data.OrderID != req.OrderID ||
				ev.Data.AmountMinor != 1999 || ev.Data.Currency != "EUR" || ev.Data.FailureReason != tt.wantReason {
				t.Fatalf("event %+v, want %s about %s", ev, tt.wantEvent, p.ID)
			}
			got, err := g.GetPayment(ctx, p.ID)
			wantFinal := tt.wantStatus
			if wantFinal == domain.PaymentProcessing {
				wantFinal = domain.PaymentSucceeded // settled before its webhook was sent
			}
			if err != nil || got.Status != wantFinal {
				t.Fatalf("GetPayment = %s, %v; want %s", got.Status, err, wantFinal)
			}
		})
	}
}

func TestCreatePaymentRefusesBadInput(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*domain.PaymentRequest)
		wantField string
	}{
		{"unknown card", func(r *domain.PaymentRequest) { r.PaymentMethodID = "4111111111111111" }, "paymentMethodId"},
		{"zero amount", func(r *domain.PaymentRequest) { r.Amount.AmountMinor = 0 }, "amount"},
		{"unknown currency", func(r *domain.PaymentRequest) { r.Amount.Currency = "JPY" }, "amount"},
		{"unknown method", func(r *domain.PaymentRequest) { r.Method = "BOLETO" }, "method"},
		{"13 installments", func(r *domain.PaymentRequest) { r.Installments = 13 }, "installments"},
		{"relative return URL", func(r *domain.PaymentRequest) { r.ReturnURL = "/orders/1" }, "returnUrl"},
		{"return URL with userinfo", func(r *domain.PaymentRequest) { r.ReturnURL = "https://app.test@evil.test/" }, "returnUrl"},
		{"return URL with a backslash", func(r *domain.PaymentRequest) { r.ReturnURL = `https://app.test\@evil.test/` }, "returnUrl"},
		{"scheme-relative return URL", func(r *domain.PaymentRequest) { r.ReturnURL = "//evil.test/" }, "returnUrl"},
		{"javascript return URL", func(r *domain.PaymentRequest) { r.ReturnURL = "javascript:alert(1)" }, "returnUrl"},
		{"return URL with a newline", func(r *domain.PaymentRequest) { r.ReturnURL = "https://app.test\n.evil.test/" }, "returnUrl"},
		{"over-long return URL", func(r *domain.PaymentRequest) {
			r.ReturnURL = "https://app.test/" + strings.Repeat("a", domain.MaxReturnURLLen)
		}, "returnUrl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, rec := newTestGateway(t, Config{})
			req := paymentRequest(CardSucceeds)
			tt.edit(&req)
			_, err := g.CreatePayment(context.Background(), req)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != tt.wantField {
				t.Fatalf("CreatePayment = %v, want INVALID_INPUT on %s", err, tt.wantField)
			}
			_ = g.Close()
			rec.none(t)
		})
	}
}

func TestCreatePaymentIdempotency(t *testing.T) {
	ctx := context.Background()
	g, _ := newTestGateway(t, Config{})
	req := paymentRequest("")
	first, err := g.CreatePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.CreatePayment(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry = %+v, %v; want payment %s", again, err, first.ID)
	}
	other := req
	other.Amount.AmountMinor++
	if _, err := g.CreatePayment(ctx, other); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("same key, other amount = %v; want INVALID_INPUT", err)
	}

	declined := paymentRequest(CardDeclined)
	p1, err1 := g.CreatePayment(ctx, declined)
	p2, err2 := g.CreatePayment(ctx, declined)
	if p1.ID != p2.ID || domain.ErrorCode(err1) != domain.CodePaymentFailed || domain.ErrorCode(err2) != domain.CodePaymentFailed {
		t.Fatalf("declined retry = %s %v / %s %v; want the same payment declined twice", p1.ID, err1, p2.ID, err2)
	}
}
