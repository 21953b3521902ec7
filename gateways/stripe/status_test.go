package stripe

import (
	"testing"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

func TestToPayment(t *testing.T) {
	secret := &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: "pi_1_secret"}
	declined := &stripe.Error{Type: stripe.ErrorTypeCard, Code: "card_declined", DeclineCode: "insufficient_funds"}
	tests := []struct {
		name   string
		status stripe.PaymentIntentStatus
		lpe    *stripe.Error
		want   domain.PaymentStatus
		action *domain.NextAction
		reason string
	}{
		{"succeeded", "succeeded", nil, domain.PaymentSucceeded, nil, ""},
		{"processing", "processing", nil, domain.PaymentProcessing, nil, ""},
		{"requires capture", "requires_capture", nil, domain.PaymentProcessing, nil, ""},
		{"requires action", "requires_action", nil, domain.PaymentRequiresAction, secret, ""},
		{"requires confirmation", "requires_confirmation", nil, domain.PaymentPending, secret, ""},
		{"waiting for the buyer", "requires_payment_method", nil, domain.PaymentPending, secret, ""},
		{"declined attempt", "requires_payment_method", declined, domain.PaymentFailed, nil, "insufficient_funds"},
		{"failed without decline code", "requires_payment_method", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, Code: "payment_intent_authentication_failure"}, domain.PaymentFailed, nil, "payment_intent_authentication_failure"},
		{"error without a reason", "requires_payment_method", &stripe.Error{Type: stripe.ErrorTypeAPI}, domain.PaymentPending, secret, ""},
		{"canceled", "canceled", nil, domain.PaymentCanceled, nil, ""},
		{"unknown status", "something_new", nil, domain.PaymentProcessing, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pi := &stripe.PaymentIntent{ID: "pi_1", Amount: 2500, Currency: "brl", Status: tt.status, ClientSecret: "pi_1_secret",
				LastPaymentError: tt.lpe, LatestCharge: &stripe.Charge{ID: "ch_1", AmountRefunded: 700}}
			p := toPayment(pi)
			if p.ID != "pi_1" || p.Status != tt.want || p.FailureReason != tt.reason {
				t.Fatalf("toPayment = %+v, want %s reason %q", p, tt.want, tt.reason)
			}
			if p.Amount != (domain.Money{AmountMinor: 2500, Currency: domain.BRL}) || p.Refunded != 700 {
				t.Errorf("amount %v refunded %d, want 25.00 BRL and 700", p.Amount, p.Refunded)
			}
			if (p.NextAction == nil) != (tt.action == nil) || (p.NextAction != nil && *p.NextAction != *tt.action) {
				t.Errorf("next action %+v, want %+v", p.NextAction, tt.action)
			}
		})
	}
}
