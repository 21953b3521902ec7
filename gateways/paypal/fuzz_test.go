package paypal

import (
	"net/http"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/paypalemu"
)

// webhookSeeds are events as PayPal sends them (the shapes of
// TestWebhookKinds and of the emulator's own events), ignored types, and
// the malformed bodies of TestBadWebhooks.
var webhookSeeds = []string{
	`{"id":"WH-2WR32451HC0233532-67976317FL4543714","event_version":"1.0","create_time":"2026-03-01T12:00:00.000Z","resource_type":"capture","resource_version":"2.0","event_type":"PAYMENT.CAPTURE.COMPLETED","summary":"Payment completed for EUR 10.00","resource":{"id":"42311647XV020574X","status":"COMPLETED","amount":{"currency_code":"EUR","value":"10.00"},"final_capture":true,"custom_id":"0190a6f1-7c1e-7b9a-9f0e-3c2d1e0f4a5b","supplementary_data":{"related_ids":{"order_id":"5O190127TN364715T"}},"links":[{"href":"https://api.sandbox.paypal.com/v2/payments/captures/42311647XV020574X","rel":"self","method":"GET"}]},"links":[]}`,
	`{"id":"WH-2","event_type":"PAYMENT.CAPTURE.DENIED","create_time":"2026-03-01T12:00:00Z","resource_type":"capture","resource":{"id":"CAP2","status":"DECLINED","status_details":{"reason":"UNKNOWN"},"amount":{"currency_code":"USD","value":"5.5"},"custom_id":"o2","supplementary_data":{"related_ids":{"order_id":"ORDER2"}}}}`,
	`{"id":"WH-3","event_type":"PAYMENT.CAPTURE.PENDING","resource":{"id":"CAP3","status":"PENDING","status_details":{"reason":"PENDING_REVIEW"},"supplementary_data":{"related_ids":{"order_id":"ORDER3"}}}}`,
	`{"id":"WH-4","event_type":"PAYMENT.CAPTURE.REFUNDED","resource_type":"refund","resource":{"id":"REF1","status":"COMPLETED","amount":{"currency_code":"EUR","value":"2.50"},"seller_payable_breakdown":{"total_refunded_amount":{"currency_code":"EUR","value":"7.50"}},"custom_id":"x","supplementary_data":{"related_ids":{"order_id":"ORDER4"}}}}`,
	`{"id":"WH-5","event_type":"PAYMENT.CAPTURE.REFUNDED","resource_type":"refund","resource":{"id":"REF2","status":"COMPLETED","amount":{"currency_code":"EUR","value":"2.50"},"links":[{"href":"https://api.paypal.com/v2/payments/captures/CAPNOPE","rel":"up","method":"GET"}]}}`,
	`{"id":"WH-6","event_type":"PAYMENT.CAPTURE.REFUNDED","resource_type":"refund","resource":{"id":"REF3","status":"COMPLETED","supplementary_data":{"related_ids":{"order_id":"ORDERNOPE"}}}}`,
	`{"id":"WH-7","event_type":"CHECKOUT.ORDER.APPROVED","resource_type":"checkout-order","resource":{"id":"ORDER7","status":"APPROVED","intent":"CAPTURE","purchase_units":[{"reference_id":"default","custom_id":"o7","amount":{"currency_code":"BRL","value":"100.00"}}]}}`,
	`{"id":"WH-8","event_type":"PAYMENT.CAPTURE.REVERSED","resource":{"id":"CAP8","status":"REVERSED"}}`,
	`{"id":"WH-9","event_type":"CUSTOMER.DISPUTE.CREATED","resource":{"dispute_id":"PP-D-1"}}`,
	`{"event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{}}`,
	`{`,
	// Odd amounts and currencies, ids PayPal could not issue, wrong types.
	`{"id":"WH-10","event_type":"PAYMENT.CAPTURE.COMPLETED","create_time":"not a time","resource":{"id":"C","amount":{"currency_code":"eur","value":"-1.00"},"supplementary_data":{"related_ids":{"order_id":"O10"}}}}`,
	`{"id":"WH-11","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C","amount":{"currency_code":"USD","value":"999999999999999.99"},"supplementary_data":{"related_ids":{"order_id":"O11"}}}}`,
	`{"id":"WH-12","event_type":"PAYMENT.CAPTURE.DECLINED","resource":{"id":"C","amount":{"currency_code":"JPY","value":"1e3"},"supplementary_data":{"related_ids":{"order_id":"O12"}}}}`,
	`{"id":"WH-13","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R","supplementary_data":{"related_ids":{"order_id":"../../v1/oauth2/token"}}}}`,
	`{"id":"WH-14","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R","supplementary_data":{"related_ids":{"capture_id":"CAP/../x"}},"links":[{"href":"http://[::1","rel":"up"}]}}`,
	`{"id":"WH-15","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R","seller_payable_breakdown":{"total_refunded_amount":{"currency_code":"BRL","value":"00000000000000001.5"}},"supplementary_data":{"related_ids":{"order_id":"O15"}}}}`,
	`{"id":"WH-16","event_type":"CHECKOUT.ORDER.APPROVED","resource":{"id":"O16","purchase_units":[]}}`,
	`{"id":"WH-17","event_type":"CHECKOUT.ORDER.APPROVED","resource":{"id":"\ud83d\ude00","purchase_units":[{"custom_id":"\u0000","amount":null}]}}`,
	`{"id":"WH-18","event_type":"PAYMENT.CAPTURE.PENDING","resource":[1,2]}`,
	`{"id":7,"event_type":"PAYMENT.CAPTURE.PENDING","resource":{}}`,
}

// unsignedHeader is a complete set of transmission headers that signs no
// body the fuzzer can make: sent with a body the emulator cannot re-sign.
func unsignedHeader() http.Header {
	h := http.Header{}
	h.Set(paypalemu.HeaderTransmissionID, "00000000-0000-11ef-0000-000000000000")
	h.Set(paypalemu.HeaderTransmissionTime, time.Now().UTC().Format(time.RFC3339))
	h.Set(paypalemu.HeaderTransmissionSig, "AAAA")
	h.Set(paypalemu.HeaderCertURL, "https://api.paypal.com/v1/notifications/certs/CERT-1")
	h.Set(paypalemu.HeaderAuthAlgo, "SHA256withRSA")
	return h
}

// FuzzParseWebhookSigned has the emulator sign each fuzzed body as PayPal
// would (a new transmission, now), so verify-webhook-signature answers
// SUCCESS and the input reaches the event decoding and mapping, and the
// captures and orders it reads from the emulator: whatever the body, the
// answer keeps the webhook contract (GATEWAY_UNAVAILABLE only where PayPal
// had to be asked) and is the same on a redelivery. A body the emulator
// cannot sign (not JSON) must be refused.
func FuzzParseWebhookSigned(f *testing.F) {
	for _, s := range webhookSeeds {
		f.Add([]byte(s))
	}
	emu, gw := newEmu(f, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := emu.Resign(body)
		if err != nil {
			gatewaytest.CheckRefused(t, gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: unsignedHeader(), Body: body}))
			return
		}
		a := gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: h, Body: body})
		gatewaytest.CheckWebhookAnswer(t, a, domain.CodeInvalidInput, domain.CodeGatewayUnavailable)
	})
}

// objectTypes are the event types FuzzParseWebhookObject picks from:
// every one Tally maps and one it ignores.
var objectTypes = []string{
	"PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED", "PAYMENT.CAPTURE.PENDING",
	"PAYMENT.CAPTURE.REFUNDED", "CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.REVERSED",
}

// resourceSeeds are event resources as PayPal sends them and with odd
// amounts, currencies, ids and types, each with its type's index.
var resourceSeeds = []struct {
	typ      byte
	resource string
}{
	{0, `{"id":"42311647XV020574X","status":"COMPLETED","amount":{"currency_code":"EUR","value":"10.00"},"final_capture":true,"custom_id":"0190a6f1-7c1e-7b9a-9f0e-3c2d1e0f4a5b","supplementary_data":{"related_ids":{"order_id":"5O190127TN364715T"}}}`},
	{1, `{"id":"CAP2","status":"DECLINED","status_details":{"reason":"UNKNOWN"},"amount":{"currency_code":"USD","value":"5.5"},"supplementary_data":{"related_ids":{"order_id":"ORDER2"}}}`},
	{3, `{"id":"CAP3","status":"PENDING","supplementary_data":{"related_ids":{"order_id":"ORDER3"}}}`},
	{4, `{"id":"REF1","status":"COMPLETED","amount":{"currency_code":"EUR","value":"2.50"},"seller_payable_breakdown":{"total_refunded_amount":{"currency_code":"EUR","value":"7.50"}},"custom_id":"x","supplementary_data":{"related_ids":{"order_id":"ORDER4"}}}`},
	{4, `{"id":"REF2","status":"COMPLETED","links":[{"href":"https://api.paypal.com/v2/payments/captures/CAPNOPE","rel":"up","method":"GET"}]}`},
	{4, `{"id":"REF3","supplementary_data":{"related_ids":{"order_id":"../../v1/oauth2/token","capture_id":"CAP/../x"}}}`},
	{5, `{"id":"ORDER7","status":"APPROVED","intent":"CAPTURE","purchase_units":[{"reference_id":"default","custom_id":"o7","amount":{"currency_code":"BRL","value":"100.00"}}]}`},
	{5, `{"id":"\ud83d\ude00","purchase_units":[{"custom_id":"\u0000","amount":null}]}`},
	{6, `{"id":"CAP8","status":"REVERSED"}`},
	{0, `{"id":"C","amount":{"currency_code":"eur","value":"-1.00"},"supplementary_data":{"related_ids":{"order_id":"O10"}}}`},
	{0, `{"id":"C","amount":{"currency_code":"USD","value":"999999999999999.99"},"supplementary_data":{"related_ids":{"order_id":"O11"}}}`},
	{2, `{"id":"C","amount":{"currency_code":"JPY","value":"1e3"},"supplementary_data":{"related_ids":{"order_id":7}}}`},
	{3, `[1,2]`},
}

// FuzzParseWebhookObject fuzzes the resource of a well-formed event of a
// type Tally maps (or one it ignores), signed by the emulator, so most
// inputs reach the capture, refund and order decoding and the lookups
// they make rather than stopping at a broken envelope.
func FuzzParseWebhookObject(f *testing.F) {
	for _, s := range resourceSeeds {
		f.Add(s.typ, []byte(s.resource))
	}
	emu, gw := newEmu(f, nil)
	f.Fuzz(func(t *testing.T, typ byte, resource []byte) {
		body := []byte(`{"id":"WH-FUZZ","event_version":"1.0","create_time":"2026-03-01T12:00:00.000Z","resource_type":"capture",` +
			`"resource_version":"2.0","event_type":"` + objectTypes[int(typ)%len(objectTypes)] + `","resource":` + string(resource) + `}`)
		h, err := emu.Resign(body)
		if err != nil {
			gatewaytest.CheckRefused(t, gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: unsignedHeader(), Body: body}))
			return
		}
		a := gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: h, Body: body})
		gatewaytest.CheckWebhookAnswer(t, a, domain.CodeInvalidInput, domain.CodeGatewayUnavailable)
	})
}

// FuzzParseWebhookForged sends each fuzzed body with a fuzzed transmission
// id and signature (sent now, the other headers as PayPal sets them; an
// empty value is a missing header): PayPal does not verify it, so every
// delivery is INVALID_INPUT and gives no events.
func FuzzParseWebhookForged(f *testing.F) {
	emu, gw := newEmu(f, nil)
	for _, s := range webhookSeeds {
		h, err := emu.Resign([]byte(s))
		if err != nil {
			h = unsignedHeader()
		}
		// A real signature of another transmission.
		f.Add([]byte(s), "8e0a6c3e-5f4b-11ef-9d1c-0242ac120002", h.Get(paypalemu.HeaderTransmissionSig))
	}
	f.Add([]byte(webhookSeeds[0]), "", "")
	f.Add([]byte(webhookSeeds[0]), "tid", "")
	f.Add([]byte(webhookSeeds[0]), "tid", "not base64 \x00\xff")
	f.Fuzz(func(t *testing.T, body []byte, transmissionID, signature string) {
		h := unsignedHeader()
		h.Set(paypalemu.HeaderTransmissionID, transmissionID)
		h.Set(paypalemu.HeaderTransmissionSig, signature)
		gatewaytest.CheckRefused(t, gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: h, Body: body}))
	})
}
