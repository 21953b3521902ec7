package stripe

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
)

// fuzzGateway is a gateway for the fuzz targets; ParseWebhook makes no call
// to Stripe, so it points nowhere.
func fuzzGateway(f *testing.F) *Gateway {
	f.Helper()
	g, err := New(Config{SecretKey: testKey, WebhookSecret: testSecret})
	if err != nil {
		f.Fatal(err)
	}
	return g
}

// objectTypes are the event types FuzzParseWebhookObject picks from:
// every one Tally maps and one it ignores.
var objectTypes = []string{
	"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
	"payment_intent.processing", "payment_intent.requires_action", "charge.refunded", "customer.created",
}

// objectSeed is an event's type (an index into objectTypes) and object.
type objectSeed struct {
	typ    byte
	object []byte
}

// objectSeeds are event objects as Stripe sends them, for every type, and
// with wrong types, huge numbers, unicode, duplicate keys and deep nesting.
func objectSeeds() []objectSeed {
	pi := map[string]any{
		"id": "pi_3OabcXYZ", "object": "payment_intent", "amount": 1000, "amount_received": 1000, "currency": "eur",
		"status": "succeeded", "latest_charge": "ch_3OabcXYZ", "metadata": map[string]any{"tally_order_id": "ord_7"},
		"livemode": false, "payment_method_types": []string{"card"}, "capture_method": "automatic",
	}
	expanded := map[string]any{"id": "pi_2", "object": "payment_intent", "amount": 2500, "currency": "usd", "status": "succeeded",
		"latest_charge": map[string]any{"id": "ch_2", "object": "charge", "amount": 2500, "amount_refunded": 500, "currency": "usd"}}
	declined := map[string]any{"id": "pi_3", "object": "payment_intent", "amount": 999, "currency": "brl", "status": "requires_payment_method",
		"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"}}
	charge := map[string]any{"id": "ch_1", "object": "charge", "amount": 1000, "currency": "eur", "amount_refunded": 600,
		"refunded": false, "payment_intent": "pi_1", "metadata": map[string]any{"tally_order_id": "ord_7"}}
	var seeds []objectSeed
	for _, o := range []struct {
		typ byte
		obj any
	}{
		{0, pi},
		{0, expanded},
		{1, declined},
		{2, map[string]any{"id": "pi_4", "object": "payment_intent", "status": "canceled", "cancellation_reason": "abandoned"}},
		{3, map[string]any{"id": "pi_5", "object": "payment_intent", "amount": 1, "currency": "eur"}},
		{4, map[string]any{"id": "pi_6", "object": "payment_intent", "next_action": map[string]any{"type": "redirect_to_url"}}},
		{5, charge},
		{5, map[string]any{"id": "ch_9", "object": "charge", "payment_intent": nil}},
		{6, map[string]any{"id": "cus_1", "object": "customer"}},
		{0, map[string]any{"id": 5}},
		{5, map[string]any{"id": "ch_1", "amount": -5, "amount_refunded": -1, "currency": "xyz", "payment_intent": map[string]any{"id": "pi_1"}}},
	} {
		b, err := json.Marshal(o.obj)
		if err != nil {
			panic(err)
		}
		seeds = append(seeds, objectSeed{o.typ, b})
	}
	for _, obj := range []string{
		`{"id":"pi_1","amount":"1000","currency":"eur"}`,
		`{"id":"pi_1","amount":9223372036854775808,"currency":"eur"}`,
		`{"id":"pi_1","amount":9223372036854775807,"currency":"EUR","latest_charge":{"id":"ch_1","amount_refunded":9223372036854775807}}`,
		`{"id":"pi_1","amount":1e3,"currency":"eur"}`,
		`{"id":"pi_\u00e9\ud83d\ude00","amount":1,"currency":"e\u0075r","metadata":{"tally_order_id":"\u0000\u202e"}}`,
		`{"id":"pi_1","id":"pi_2","amount":1,"currency":"usd","metadata":[]}`,
		`{"id":"pi_1","latest_charge":7,"last_payment_error":"card_declined"}`,
		`{"id":"pi_1","payment_intent":{"id":""},"metadata":{"tally_order_id":"` + strings.Repeat("x", 300) + `"}}`,
		`{"id":"pi_1","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
		`null`,
		`[]`,
	} {
		seeds = append(seeds, objectSeed{1, []byte(obj)}, objectSeed{5, []byte(obj)})
	}
	return seeds
}

// event wraps an object in a well-formed event of stripe-go's API version.
func event(id string, typ byte, object []byte) []byte {
	return []byte(`{"id":"` + id + `","object":"event","api_version":"` + stripe.APIVersion + `","created":1772366400,` +
		`"livemode":false,"pending_webhooks":1,"type":"` + objectTypes[int(typ)%len(objectTypes)] + `",` +
		`"data":{"object":` + string(object) + `}}`)
}

// addWebhookSeeds adds Stripe events as Stripe sends them, of every
// object seed, and the refusals of TestParseWebhookRefusals.
func addWebhookSeeds(add func(body []byte)) {
	for i, s := range objectSeeds() {
		add(event(fmt.Sprintf("evt_%d", i), s.typ, s.object))
	}
	add(webhookEvent("evt_v", "payment_intent.succeeded", "2024-06-20", map[string]any{"id": "pi_1"}, time.Now()))
	add([]byte(`{"id":"evt_4","object":"event","api_version":"2023-10-16","type":"payment_intent.succeeded"}`))
	add([]byte(`{nope`))
	add([]byte(``))
}

// FuzzParseWebhookSigned signs each fuzzed body correctly, now, so the
// input reaches the event decoding and mapping: whatever the body, the
// answer keeps the webhook contract and is the same on a redelivery.
func FuzzParseWebhookSigned(f *testing.F) {
	addWebhookSeeds(func(body []byte) { f.Add(body) })
	g := fuzzGateway(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := signed(body, testSecret, time.Now())
		gatewaytest.CheckWebhookAnswer(t, gatewaytest.ParseTwice(t, g, req), domain.CodeInvalidInput)
	})
}

// FuzzParseWebhookObject fuzzes the event object inside a well-formed,
// correctly signed event of a type Tally maps (or one it ignores), so most
// inputs reach the PaymentIntent and Charge decoding and their mapping
// rather than stopping at a broken envelope.
func FuzzParseWebhookObject(f *testing.F) {
	for _, s := range objectSeeds() {
		f.Add(s.typ, s.object)
	}
	g := fuzzGateway(f)
	f.Fuzz(func(t *testing.T, typ byte, object []byte) {
		req := signed(event("evt_fuzz", typ, object), testSecret, time.Now())
		gatewaytest.CheckWebhookAnswer(t, gatewaytest.ParseTwice(t, g, req), domain.CodeInvalidInput)
	})
}

// FuzzParseWebhookForged sends each fuzzed body with a fuzzed
// Stripe-Signature header as is: without the secret no header verifies,
// so every delivery is INVALID_INPUT and gives no events.
func FuzzParseWebhookForged(f *testing.F) {
	old := time.Unix(1700000000, 0)
	addWebhookSeeds(func(body []byte) {
		f.Add(body, fmt.Sprintf("t=%d,v1=%x", old.Unix(), webhook.ComputeSignature(old, body, testSecret))) // stale
		f.Add(body, fmt.Sprintf("t=%d,v1=%x", old.Unix(), webhook.ComputeSignature(old, body, "whsec_other")))
	})
	f.Add([]byte(`{}`), "")
	f.Add([]byte(`{}`), "t=,v1=")
	f.Add([]byte(`{}`), "t=99999999999999999999,v1=00,v0=ff")
	g := fuzzGateway(f)
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		req := domain.WebhookRequest{Header: http.Header{"Stripe-Signature": {header}}, Body: body}
		gatewaytest.CheckRefused(t, gatewaytest.ParseTwice(t, g, req))
	})
}
