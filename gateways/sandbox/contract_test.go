package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
)

func TestContract(t *testing.T) {
	g, _ := newTestGateway(t, Config{})
	cardFor := map[gatewaytest.Outcome]string{
		gatewaytest.Succeed:       CardSucceeds,
		gatewaytest.Decline:       CardDeclined,
		gatewaytest.RequireAction: CardRequiresAction,
	}
	gatewaytest.Run(t, gatewaytest.Harness{
		Gateway: g,
		Request: func(_ *testing.T, o gatewaytest.Outcome) domain.PaymentRequest {
			return paymentRequest(cardFor[o])
		},
		Complete: func(t *testing.T, p domain.Payment) {
			if err := g.Approve(p.ID); err != nil {
				t.Fatalf("Approve: %v", err)
			}
		},
		Webhook: func(t *testing.T, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest {
			return signedEvent(t, testSecret, time.Now(), kind, p, refunded)
		},
		Forge: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			return signedEvent(t, []byte("not the secret"), time.Now(), domain.EventPaymentSucceeded, p, 0)
		},
		Stale: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			return signedEvent(t, testSecret, time.Now().Add(-10*time.Minute), domain.EventPaymentSucceeded, p, 0)
		},
		Outage: func(*testing.T) func() {
			g.SetOutage(true)
			return func() { g.SetOutage(false) }
		},
	})
}

// signedEvent builds a delivery of an event of kind about p, signed with
// secret at t.
func signedEvent(t *testing.T, secret []byte, at time.Time, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest {
	t.Helper()
	typ := ""
	for name, k := range eventKinds {
		if k == kind {
			typ = name
		}
	}
	if typ == "" {
		t.Fatalf("the sandbox sends no %s event", kind)
	}
	ev := Event{ID: "evt_" + string(kind) + "_" + p.ID, Type: typ, Created: at.Unix(), Data: EventData{
		PaymentID: p.ID, OrderID: "order-of-" + p.ID, AmountMinor: p.Amount.AmountMinor,
		Currency: string(p.Amount.Currency), RefundedMinor: refunded,
	}}
	if kind == domain.EventPaymentFailed {
		ev.Data.FailureReason = "generic_decline"
	}
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(SignatureHeader, Sign(secret, at, body))
	return domain.WebhookRequest{Header: h, Body: body}
}
