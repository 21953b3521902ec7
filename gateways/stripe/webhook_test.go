package stripe

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/tallyhq/tally/domain"
)

func TestParseWebhookKinds(t *testing.T) {
	g, _ := newTestGateway(t)
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	pi := func(status string, extra map[string]any) map[string]any {
		m := map[string]any{"id": "pi_1", "object": "payment_intent", "amount": 1000, "currency": "eur", "status": status,
			"latest_charge": "ch_1", "metadata": map[string]any{"tally_order_id": "ord_7"}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	charge := func(extra map[string]any) map[string]any {
		m := map[string]any{"id": "ch_1", "object": "charge", "amount": 1000, "currency": "eur", "amount_refunded": 600,
			"payment_intent": "pi_1", "metadata": map[string]any{"tally_order_id": "ord_7"}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	declined := map[string]any{"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "stolen_card"}}
	tests := []struct {
		typ    string
		object map[string]any
		want   *domain.WebhookEvent // nil: no events
	}{
		{"payment_intent.succeeded", pi("succeeded", nil), &domain.WebhookEvent{Kind: domain.EventPaymentSucceeded}},
		{"payment_intent.payment_failed", pi("requires_payment_method", declined), &domain.WebhookEvent{Kind: domain.EventPaymentFailed, FailureReason: "stolen_card"}},
		{"payment_intent.payment_failed", pi("requires_payment_method", map[string]any{"last_payment_error": map[string]any{"type": "card_error", "code": "expired_card"}}), &domain.WebhookEvent{Kind: domain.EventPaymentFailed, FailureReason: "expired_card"}},
		{"payment_intent.payment_failed", pi("requires_payment_method", nil), &domain.WebhookEvent{Kind: domain.EventPaymentFailed, FailureReason: "payment_failed"}},
		{"payment_intent.canceled", pi("canceled", nil), &domain.WebhookEvent{Kind: domain.EventPaymentCanceled}},
		{"payment_intent.processing", pi("processing", nil), &domain.WebhookEvent{Kind: domain.EventPaymentProcessing}},
		{"payment_intent.requires_action", pi("requires_action", nil), &domain.WebhookEvent{Kind: domain.EventPaymentRequiresAction}},
		{"charge.refunded", charge(nil), &domain.WebhookEvent{Kind: domain.EventPaymentRefunded, Refunded: 600}},
		{"charge.refunded", charge(map[string]any{"payment_intent": nil}), nil},
		{"payment_intent.created", pi("requires_payment_method", nil), nil},
		{"charge.succeeded", charge(nil), nil},
		{"customer.created", map[string]any{"id": "cus_1", "object": "customer"}, nil},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.typ, i), func(t *testing.T) {
			body := webhookEvent(fmt.Sprintf("evt_%d", i), tt.typ, "", tt.object, created)
			evs, err := g.ParseWebhook(context.Background(), signed(body, testSecret, time.Now()))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if tt.want == nil {
				if len(evs) != 0 {
					t.Fatalf("events %+v, want none", evs)
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			want := *tt.want
			want.ID, want.PaymentID, want.OrderID = fmt.Sprintf("evt_%d", i), "pi_1", "ord_7"
			want.Amount = domain.Money{AmountMinor: 1000, Currency: domain.EUR}
			want.OccurredAt = created
			if evs[0] != want {
				t.Fatalf("event\n %+v\nwant\n %+v", evs[0], want)
			}
		})
	}
}

func TestParseWebhookRefusals(t *testing.T) {
	g, _ := newTestGateway(t)
	good := webhookEvent("evt_1", "payment_intent.succeeded", "", map[string]any{"id": "pi_1", "object": "payment_intent", "amount": 1000, "currency": "eur", "status": "succeeded"}, time.Now())
	ok := signed(good, testSecret, time.Now())
	tampered := signed(good, testSecret, time.Now())
	tampered.Body = append([]byte(nil), good...)
	tampered.Body[len(tampered.Body)-2] = ' '
	forgedSig := signed(good, "whsec_other", time.Now())
	// While a secret rolls, Stripe signs with the old and the new one.
	now := time.Now()
	rolled := domain.WebhookRequest{Body: good, Header: http.Header{"Stripe-Signature": {fmt.Sprintf("t=%d,v1=%x,v1=%x",
		now.Unix(), webhook.ComputeSignature(now, good, "whsec_old"), webhook.ComputeSignature(now, good, testSecret))}}}
	tests := []struct {
		name string
		req  domain.WebhookRequest
		ok   bool
	}{
		{"valid", ok, true},
		{"signed by the previous and the current secret", rolled, true},
		{"no header", domain.WebhookRequest{Body: good}, false},
		{"empty header", domain.WebhookRequest{Header: http.Header{"Stripe-Signature": {""}}, Body: good}, false},
		{"garbage header", domain.WebhookRequest{Header: http.Header{"Stripe-Signature": {"nonsense"}}, Body: good}, false},
		{"wrong secret", forgedSig, false},
		{"tampered body", tampered, false},
		{"stale", signed(good, testSecret, time.Now().Add(-6*time.Minute)), false},
		{"a minute ahead (clock skew)", signed(good, testSecret, time.Now().Add(time.Minute)), true},
		{"other api version", signed(webhookEvent("evt_2", "payment_intent.succeeded", "2024-06-20", map[string]any{"id": "pi_1"}, time.Now()), testSecret, time.Now()), false},
		{"not json", signed([]byte("{nope"), testSecret, time.Now()), false},
		{"object not an intent", signed(webhookEvent("evt_3", "payment_intent.succeeded", "", map[string]any{"id": 5}, time.Now()), testSecret, time.Now()), false},
		{"no object", signed([]byte(`{"id":"evt_4","object":"event","api_version":"2023-10-16","type":"payment_intent.succeeded"}`), testSecret, time.Now()), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := g.ParseWebhook(context.Background(), tt.req)
			if tt.ok {
				if err != nil || len(evs) != 1 {
					t.Fatalf("ParseWebhook = %v, %v; want one event", evs, err)
				}
				return
			}
			if domain.ErrorCode(err) != domain.CodeInvalidInput || len(evs) != 0 {
				t.Fatalf("ParseWebhook = %v, %v; want INVALID_INPUT", evs, err)
			}
		})
	}
}

func TestWebhookTolerance(t *testing.T) {
	g, _ := newTestGateway(t, func(c *Config) { c.WebhookTolerance = time.Hour })
	body := webhookEvent("evt_1", "payment_intent.succeeded", "", map[string]any{"id": "pi_1", "amount": 1000, "currency": "eur"}, time.Now())
	if _, err := g.ParseWebhook(context.Background(), signed(body, testSecret, time.Now().Add(-30*time.Minute))); err != nil {
		t.Fatalf("a 30-minute-old event with a 1-hour tolerance: %v", err)
	}
}

// TestParseWebhookAmounts: found by FuzzParseWebhookSigned, a signed event
// with an amount but no currency became an event with an amount in
// currency "", and a negative amount or amount_refunded was passed on.
func TestParseWebhookAmounts(t *testing.T) {
	g, _ := newTestGateway(t)
	intent := func(amount int64, currency string, refunded int64) map[string]any {
		return map[string]any{"id": "pi_1", "object": "payment_intent", "amount": amount, "currency": currency,
			"latest_charge": map[string]any{"id": "ch_1", "object": "charge", "amount_refunded": refunded}}
	}
	charge := func(amount int64, currency string, refunded int64) map[string]any {
		return map[string]any{"id": "ch_1", "object": "charge", "amount": amount, "currency": currency,
			"amount_refunded": refunded, "payment_intent": "pi_1"}
	}
	// ofOrder makes obj a payment of a Tally order.
	ofOrder := func(obj map[string]any) map[string]any {
		obj["metadata"] = map[string]any{orderIDMetadataKey: "order-1"}
		return obj
	}
	tests := []struct {
		name   string
		typ    string
		object map[string]any
		want   domain.Money // the event's amount; ignored when refused
		refuse bool
	}{
		{"intent in euros", "payment_intent.succeeded", intent(1000, "eur", 0), domain.Money{AmountMinor: 1000, Currency: domain.EUR}, false},
		{"intent without a currency", "payment_intent.payment_failed", intent(1, "", 0), domain.Money{}, false},
		{"intent in yen (not Tally's)", "payment_intent.succeeded", intent(500, "jpy", 0), domain.Money{}, false},
		{"intent with a negative amount", "payment_intent.succeeded", intent(-1000, "eur", 0), domain.Money{}, true},
		{"intent with a negative refund", "payment_intent.succeeded", intent(1000, "eur", -1), domain.Money{}, true},
		{"charge in reais", "charge.refunded", charge(1000, "brl", 400), domain.Money{AmountMinor: 1000, Currency: domain.BRL}, false},
		{"charge in an unknown currency", "charge.refunded", charge(1000, "xyz", 400), domain.Money{}, false},
		{"Tally's intent in yen", "payment_intent.succeeded", ofOrder(intent(500, "jpy", 0)), domain.Money{AmountMinor: 500, Currency: "JPY"}, false},
		{"Tally's intent without a currency", "payment_intent.succeeded", ofOrder(intent(500, "", 0)), domain.Money{AmountMinor: 500, Currency: "XXX"}, false},
		{"Tally's intent of nothing in no currency", "payment_intent.succeeded", ofOrder(intent(0, "", 0)), domain.Money{Currency: "XXX"}, false},
		{"Tally's charge in an unknown currency", "charge.refunded", ofOrder(charge(1000, "xyz", 400)), domain.Money{AmountMinor: 1000, Currency: "XYZ"}, false},
		{"charge with a negative amount", "charge.refunded", charge(-5, "eur", 0), domain.Money{}, true},
		{"charge with a negative refund", "charge.refunded", charge(1000, "eur", -400), domain.Money{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := webhookEvent("evt_1", tt.typ, "", tt.object, time.Now())
			evs, err := g.ParseWebhook(context.Background(), signed(body, testSecret, time.Now()))
			if tt.refuse {
				if domain.ErrorCode(err) != domain.CodeInvalidInput || evs != nil {
					t.Fatalf("ParseWebhook = %+v, %v; want INVALID_INPUT", evs, err)
				}
				return
			}
			if err != nil || len(evs) != 1 || evs[0].Amount != tt.want {
				t.Fatalf("ParseWebhook = %+v, %v; want one event of %v", evs, err, tt.want)
			}
		})
	}
}
