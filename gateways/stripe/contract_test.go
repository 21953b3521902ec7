package stripe

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
)

const (
	testKey    = "sk_test_fake"
	testSecret = "whsec_test_fake"
)

// newTestGateway starts a fake Stripe and a gateway pointed at it.
func newTestGateway(t *testing.T, mod ...func(*Config)) (*Gateway, *fakeStripe) {
	t.Helper()
	f := newFakeStripe(testKey)
	t.Cleanup(f.Close)
	cfg := Config{SecretKey: testKey, WebhookSecret: testSecret, BaseURL: f.URL, HTTPClient: f.Client()}
	for _, m := range mod {
		m(&cfg)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g, f
}

var seq atomic.Int64

// paymentRequest is a request paying with pm ("" lets the buyer choose).
func paymentRequest(pm string) domain.PaymentRequest {
	n := seq.Add(1)
	return domain.PaymentRequest{
		OrderID:         fmt.Sprintf("ord_%d", n),
		OrderNumber:     fmt.Sprintf("ORD-2026-%06d", n),
		Customer:        domain.Customer{OrgID: "org_1", Name: "Acme", Email: "billing@acme.test", Country: "DE"},
		Amount:          domain.Money{AmountMinor: 1000, Currency: domain.EUR},
		Installments:    1,
		Method:          domain.MethodCard,
		PaymentMethodID: pm,
		Description:     "Standard pack",
		IdempotencyKey:  fmt.Sprintf("pay-%d", n),
	}
}

// signed is a delivery of body signed with secret at ts.
func signed(body []byte, secret string, ts time.Time) domain.WebhookRequest {
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: ts})
	return domain.WebhookRequest{Header: http.Header{"Stripe-Signature": {sp.Header}}, Body: body}
}

// eventBody renders a Stripe event of the given kind about p, from the
// fake's state; refunded sets the charge's amount_refunded.
func eventBody(t *testing.T, f *fakeStripe, kind domain.WebhookEventKind, p domain.Payment, refunded int64) []byte {
	t.Helper()
	pi := f.IntentJSON(p.ID)
	if pi == nil {
		t.Fatalf("fake stripe has no intent %s", p.ID)
	}
	id := fmt.Sprintf("evt_%d", seq.Add(1))
	now := time.Now()
	switch kind {
	case domain.EventPaymentSucceeded:
		return webhookEvent(id, "payment_intent.succeeded", "", pi, now)
	case domain.EventPaymentFailed:
		pi["status"] = "requires_payment_method"
		pi["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"}
		return webhookEvent(id, "payment_intent.payment_failed", "", pi, now)
	case domain.EventPaymentCanceled:
		pi["status"] = "canceled"
		return webhookEvent(id, "payment_intent.canceled", "", pi, now)
	case domain.EventPaymentProcessing:
		pi["status"] = "processing"
		return webhookEvent(id, "payment_intent.processing", "", pi, now)
	case domain.EventPaymentRequiresAction:
		pi["status"] = "requires_action"
		return webhookEvent(id, "payment_intent.requires_action", "", pi, now)
	case domain.EventPaymentRefunded:
		ch := f.ChargeJSON(p.ID)
		if ch == nil {
			t.Fatalf("intent %s has no charge", p.ID)
		}
		ch["amount_refunded"] = refunded
		ch["refunded"] = refunded == p.Amount.AmountMinor
		return webhookEvent(id, "charge.refunded", "", ch, now)
	}
	t.Fatalf("no stripe event for %s", kind)
	return nil
}

func TestContract(t *testing.T) {
	g, f := newTestGateway(t)
	gatewaytest.Run(t, gatewaytest.Harness{
		Gateway: g,
		Request: func(t *testing.T, o gatewaytest.Outcome) domain.PaymentRequest {
			switch o {
			case gatewaytest.Decline:
				return paymentRequest("pm_card_chargeDeclinedInsufficientFunds")
			case gatewaytest.RequireAction:
				return paymentRequest("pm_card_threeDSecure2Required")
			default:
				return paymentRequest("pm_card_visa")
			}
		},
		Complete: func(t *testing.T, p domain.Payment) {
			if err := f.Complete(p.ID); err != nil {
				t.Fatal(err)
			}
		},
		Webhook: func(t *testing.T, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest {
			return signed(eventBody(t, f, kind, p, refunded), testSecret, time.Now())
		},
		Forge: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			return signed(eventBody(t, f, domain.EventPaymentSucceeded, p, 0), "whsec_forged", time.Now())
		},
		Stale: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			return signed(eventBody(t, f, domain.EventPaymentSucceeded, p, 0), testSecret, time.Now().Add(-10*time.Minute))
		},
		Outage: func(t *testing.T) func() { return f.Outage() },
	})
}
