package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

func TestNewNeedsBaseURL(t *testing.T) {
	for _, base := range []string{"", "localhost:8080", "/tally", "ftp://x"} {
		if _, err := New(Config{BaseURL: base}); err == nil {
			t.Errorf("New(BaseURL %q) succeeded", base)
		}
	}
	g, err := New(Config{BaseURL: "http://localhost:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Close() }()
	if len(g.cfg.WebhookSecret) == 0 || g.webhookURL() != "http://localhost:8080/webhooks/sandbox" {
		t.Fatalf("defaults: secret %d bytes, webhook URL %s", len(g.cfg.WebhookSecret), g.webhookURL())
	}
}

func TestBuyerActions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		card       string
		act        func(g *Gateway, id string) error
		wantStatus domain.PaymentStatus
		wantReason string
		wantEvent  string
	}{
		{"approve pending", "", (*Gateway).Approve, domain.PaymentSucceeded, "", EventSucceeded},
		{"approve 3-D Secure", CardRequiresAction, (*Gateway).Approve, domain.PaymentSucceeded, "", EventSucceeded},
		{"decline pending", "", (*Gateway).Decline, domain.PaymentFailed, "generic_decline", EventFailed},
		{"decline 3-D Secure", CardRequiresAction, (*Gateway).Decline, domain.PaymentFailed, "authentication_failed", EventFailed},
		{"cancel pending", "", (*Gateway).Cancel, domain.PaymentCanceled, "", EventCanceled},
		{"cancel 3-D Secure", CardRequiresAction, (*Gateway).Cancel, domain.PaymentCanceled, "", EventCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, rec := newTestGateway(t, Config{})
			req := paymentRequest(tt.card)
			p, err := g.CreatePayment(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			// Before the buyer acts, confirming changes nothing.
			c, err := g.ConfirmPayment(ctx, p.ID, "confirm-1")
			if err != nil || c.Status != p.Status || c.NextAction == nil || *c.NextAction != *p.NextAction {
				t.Fatalf("early ConfirmPayment = %+v, %v; want %+v unchanged", c, err, p)
			}
			if err := tt.act(g, p.ID); err != nil {
				t.Fatal(err)
			}
			ev, _ := rec.next(t)
			if ev.Type != tt.wantEvent || ev.Data.PaymentID != p.ID || ev.Data.OrderID != req.OrderID || ev.Data.FailureReason != tt.wantReason {
				t.Fatalf("event %+v, want %s about %s", ev, tt.wantEvent, p.ID)
			}
			c, err = g.ConfirmPayment(ctx, p.ID, "confirm-2")
			if c.Status != tt.wantStatus || c.FailureReason != tt.wantReason || c.NextAction != nil {
				t.Fatalf("ConfirmPayment = %+v, want %s (%q) without a next action", c, tt.wantStatus, tt.wantReason)
			}
			if wantErr := tt.wantStatus == domain.PaymentFailed; (domain.ErrorCode(err) == domain.CodePaymentFailed) != wantErr || (!wantErr && err != nil) {
				t.Fatalf("ConfirmPayment error %v (FAILED payments answer PAYMENT_FAILED)", err)
			}
			for name, again := range map[string]func(*Gateway, string) error{"approve": (*Gateway).Approve, "decline": (*Gateway).Decline, "cancel": (*Gateway).Cancel} {
				if err := again(g, p.ID); domain.ErrorCode(err) != domain.CodeConflict {
					t.Errorf("%s after the buyer acted = %v, want CONFLICT", name, err)
				}
			}
		})
	}
}

func TestProcessingPayment(t *testing.T) {
	ctx := context.Background()
	t.Run("cannot be canceled, settles early on Approve", func(t *testing.T) {
		g, rec := newTestGateway(t, Config{DeliveryDelay: time.Hour}) // never settles on its own
		p, err := g.CreatePayment(ctx, paymentRequest(CardProcessing))
		if err != nil || p.Status != domain.PaymentProcessing {
			t.Fatalf("CreatePayment = %+v, %v", p, err)
		}
		if err := g.Cancel(p.ID); domain.ErrorCode(err) != domain.CodeConflict {
			t.Fatalf("Cancel(processing) = %v, want CONFLICT", err)
		}
		if err := g.Approve(p.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := g.GetPayment(ctx, p.ID); err != nil || got.Status != domain.PaymentSucceeded {
			t.Fatalf("GetPayment = %s, %v", got.Status, err)
		}
		_ = g.Close() // stops the pending deliveries and the settlement
		rec.none(t)
	})
	t.Run("Close stops the settlement", func(t *testing.T) {
		g, _ := newTestGateway(t, Config{DeliveryDelay: time.Hour})
		p, _ := g.CreatePayment(ctx, paymentRequest(CardProcessing))
		_ = g.Close()
		if got, _ := g.GetPayment(ctx, p.ID); got.Status != domain.PaymentProcessing {
			t.Fatalf("after Close the payment is %s, want PROCESSING", got.Status)
		}
	})
}

func TestUnknownPayment(t *testing.T) {
	ctx := context.Background()
	g, _ := newTestGateway(t, Config{})
	calls := map[string]error{
		"confirm": func() error { _, err := g.ConfirmPayment(ctx, "pay_nope", ""); return err }(),
		"get":     func() error { _, err := g.GetPayment(ctx, "pay_nope"); return err }(),
		"refund": func() error {
			_, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: "pay_nope", Amount: domain.Money{AmountMinor: 1, Currency: domain.EUR}})
			return err
		}(),
		"approve": g.Approve("pay_nope"),
		"decline": g.Decline("pay_nope"),
		"cancel":  g.Cancel("pay_nope"),
	}
	for name, err := range calls {
		if domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("%s(unknown) = %v, want NOT_FOUND", name, err)
		}
	}
}

func TestOutage(t *testing.T) {
	ctx := context.Background()
	g, _ := newTestGateway(t, Config{})
	p, err := g.CreatePayment(ctx, paymentRequest(CardSucceeds))
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := g.CreatePayment(ctx, paymentRequest(""))
	g.SetOutage(true)
	calls := map[string]error{
		"create":  func() error { _, err := g.CreatePayment(ctx, paymentRequest(CardSucceeds)); return err }(),
		"confirm": func() error { _, err := g.ConfirmPayment(ctx, p.ID, ""); return err }(),
		"get":     func() error { _, err := g.GetPayment(ctx, p.ID); return err }(),
		"refund": func() error {
			_, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: p.Amount})
			return err
		}(),
	}
	for name, err := range calls {
		if domain.ErrorCode(err) != domain.CodeGatewayUnavailable || !errors.Is(err, ErrOutage) {
			t.Errorf("%s during an outage = %v, want GATEWAY_UNAVAILABLE wrapping ErrOutage", name, err)
		}
	}
	if err := g.Approve(pending.ID); err != nil {
		t.Errorf("Approve during an outage = %v; test controls keep working", err)
	}
	g.SetOutage(false)
	if got, err := g.GetPayment(ctx, p.ID); err != nil || got.Refunded != 0 {
		t.Fatalf("after the outage GetPayment = %+v, %v; want nothing refunded", got, err)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.GetPayment(canceled, p.ID); domain.ErrorCode(err) != domain.CodeGatewayUnavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("GetPayment with a canceled context = %v, want GATEWAY_UNAVAILABLE", err)
	}
}

// TestPaymentMethod: every sandbox payment says how it is paid: the
// method the request names, else a card (the hosted page takes test cards
// only), from creation on and in every later read.
func TestPaymentMethod(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		card   string
		method domain.PaymentMethodKind
		want   domain.PaymentMethodKind
	}{
		{"card charged at once", CardSucceeds, "", domain.MethodCard},
		{"card declined", CardDeclined, "", domain.MethodCard},
		{"hosted page", "", "", domain.MethodCard},
		{"card named", "", domain.MethodCard, domain.MethodCard},
		{"PayPal named", "", domain.MethodPayPal, domain.MethodPayPal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newTestGateway(t, Config{})
			req := paymentRequest(tt.card)
			req.Method = tt.method
			p, err := g.CreatePayment(ctx, req)
			if err != nil && domain.ErrorCode(err) != domain.CodePaymentFailed {
				t.Fatal(err)
			}
			got, gerr := g.GetPayment(ctx, p.ID)
			if gerr != nil || p.Method != tt.want || got.Method != tt.want {
				t.Fatalf("method at creation %q, read later %q (%v); want %q", p.Method, got.Method, gerr, tt.want)
			}
		})
	}
}

// TestCheckPayment: CheckPayment refuses exactly what CreatePayment
// refuses, on the same field, without making a payment.
func TestCheckPayment(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		edit  func(*domain.PaymentRequest)
		field string // "" when the request is fine
	}{
		{"test card", func(*domain.PaymentRequest) {}, ""},
		{"declined test card", func(r *domain.PaymentRequest) { r.PaymentMethodID = CardDeclined }, ""},
		{"hosted page", func(r *domain.PaymentRequest) { r.PaymentMethodID = "" }, ""},
		{"unknown card", func(r *domain.PaymentRequest) { r.PaymentMethodID = "1234" }, "paymentMethodId"},
		{"zero amount", func(r *domain.PaymentRequest) { r.Amount.AmountMinor = 0 }, "amount"},
		{"unknown method", func(r *domain.PaymentRequest) { r.Method = "CASH" }, "method"},
		{"13 installments", func(r *domain.PaymentRequest) { r.Installments = 13 }, "installments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newTestGateway(t, Config{})
			req := paymentRequest(CardSucceeds)
			tt.edit(&req)
			cerr := g.CheckPayment(req)
			p, err := g.CreatePayment(ctx, req)
			var ce, de *domain.Error
			if tt.field == "" {
				if cerr != nil || domain.ErrorCode(err) == domain.CodeInvalidInput {
					t.Fatalf("CheckPayment = %v, CreatePayment = %v; want both to accept", cerr, err)
				}
				return
			}
			if !errors.As(cerr, &ce) || !errors.As(err, &de) || ce.Field != tt.field || de.Field != tt.field || p.ID != "" {
				t.Fatalf("CheckPayment = %v, CreatePayment = %+v, %v; want INVALID_INPUT on %s from both", cerr, p, err, tt.field)
			}
		})
	}
}
