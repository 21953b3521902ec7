package stripe

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

func TestMapError(t *testing.T) {
	already := domain.NotFound("payment")
	tests := []struct {
		name     string
		err      error
		code     domain.Code
		contains string
	}{
		{"decline with decline code", &stripe.Error{Type: stripe.ErrorTypeCard, HTTPStatusCode: 402, Code: "card_declined", DeclineCode: "insufficient_funds"}, domain.CodePaymentFailed, "card declined: insufficient_funds"},
		{"card error without decline code", &stripe.Error{Type: stripe.ErrorTypeCard, HTTPStatusCode: 402, Code: "expired_card"}, domain.CodePaymentFailed, "expired_card"},
		{"3-D Secure failed", &stripe.Error{Type: stripe.ErrorTypeCard, HTTPStatusCode: 402, Code: "payment_intent_authentication_failure"}, domain.CodePaymentFailed, "payment_intent_authentication_failure"},
		{"500 api error", &stripe.Error{Type: stripe.ErrorTypeAPI, HTTPStatusCode: 500}, domain.CodeGatewayUnavailable, "unavailable"},
		{"503", &stripe.Error{Type: stripe.ErrorTypeAPI, HTTPStatusCode: 503}, domain.CodeGatewayUnavailable, ""},
		{"429 rate limit", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 429, Code: "rate_limit"}, domain.CodeGatewayUnavailable, ""},
		{"401 bad key", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 401}, domain.CodeGatewayUnavailable, "credentials"},
		{"403 restricted key", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 403}, domain.CodeGatewayUnavailable, "credentials"},
		{"404 resource missing", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 404, Code: stripe.ErrorCodeResourceMissing}, domain.CodeNotFound, "payment not found"},
		{"400 resource missing parameter", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 400, Code: stripe.ErrorCodeResourceMissing, Param: "payment_intent"}, domain.CodeNotFound, "payment not found"},
		{"over-refund", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 400, Code: "amount_too_large", Param: "amount"}, domain.CodeInvalidInput, "amount_too_large (parameter amount)"},
		{"already refunded", &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 400, Code: stripe.ErrorCodeChargeAlreadyRefunded}, domain.CodeInvalidInput, "charge_already_refunded"},
		{"idempotency key reused", &stripe.Error{Type: stripe.ErrorTypeIdempotency, HTTPStatusCode: 400}, domain.CodeInvalidInput, "idempotency key"},
		{"network", &url.Error{Op: "Post", URL: "https://api.stripe.com/v1/payment_intents", Err: errors.New("connection refused")}, domain.CodeGatewayUnavailable, "unreachable"},
		{"deadline", &url.Error{Op: "Get", URL: "https://api.stripe.com", Err: context.DeadlineExceeded}, domain.CodeGatewayUnavailable, ""},
		{"unreadable body", errors.New("<html>502 Bad Gateway</html>"), domain.CodeGatewayUnavailable, ""},
		{"already mapped", already, domain.CodeNotFound, "payment not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mapError(tt.err, "payment")
			var de *domain.Error
			if !errors.As(got, &de) || de.Code != tt.code {
				t.Fatalf("mapError = %v, want code %s", got, tt.code)
			}
			if !strings.Contains(de.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", de.Message, tt.contains)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("%v does not wrap the original %v", got, tt.err)
			}
		})
	}
	if mapError(nil, "payment") != nil {
		t.Error("mapError(nil) != nil")
	}
}

func TestMapErrorRedactsClientSecret(t *testing.T) {
	se := &stripe.Error{Type: stripe.ErrorTypeCard, HTTPStatusCode: 402, DeclineCode: "generic_decline",
		PaymentIntent: &stripe.PaymentIntent{ID: "pi_1", ClientSecret: "pi_1_secret_xyz"}}
	err := mapError(se, "payment")
	if strings.Contains(err.Error(), "secret_xyz") {
		t.Fatalf("mapped error prints the client secret: %v", err)
	}
	var got *stripe.Error
	if !errors.As(err, &got) || got.PaymentIntent == nil || got.PaymentIntent.ID != "pi_1" {
		t.Fatalf("the wrapped Stripe error lost its PaymentIntent: %v", err)
	}
}
