package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
)

// addWebhookSeeds adds events as the sandbox delivers them (eventFor), one
// per type, an unknown type, and the malformed bodies of
// TestParseWebhookMalformedBody.
func addWebhookSeeds(add func(body []byte)) {
	for _, b := range []string{
		`{"id":"evt_8f2c1b","type":"payment.succeeded","created":1700000000,"data":{"payment_id":"pay_1","order_id":"0190a6f1-7c1e-7b9a-9f0e-3c2d1e0f4a5b","amount_minor":1999,"currency":"EUR","refunded_minor":0,"failure_reason":""}}`,
		`{"id":"evt_2","type":"payment.failed","created":1700000001,"data":{"payment_id":"pay_2","order_id":"o2","amount_minor":500,"currency":"USD","refunded_minor":0,"failure_reason":"insufficient_funds"}}`,
		`{"id":"evt_3","type":"payment.canceled","created":1700000002,"data":{"payment_id":"pay_3","order_id":"o3","amount_minor":100,"currency":"BRL","refunded_minor":0,"failure_reason":""}}`,
		`{"id":"evt_4","type":"payment.refunded","created":1700000003,"data":{"payment_id":"pay_1","order_id":"o1","amount_minor":1999,"currency":"EUR","refunded_minor":700,"failure_reason":""}}`,
		`{"id":"evt_5","type":"payment.disputed","created":1700000004,"data":{"payment_id":"pay_1"}}`,
		`{"id":"evt_6","type":"payment.succeeded","data":{"payment_id":"pay_6"}}`,
		`{"id":`,
		`{"type":"payment.succeeded","data":{"payment_id":"pay_1"}}`,
		`{"id":"evt_1","type":"payment.succeeded","data":{}}`,
		`[]`,
		// Wrong types, huge numbers, unicode, duplicate keys, deep nesting.
		`{"id":"evt_7","type":"payment.succeeded","data":{"payment_id":"pay_7","amount_minor":"1999","currency":"EUR"}}`,
		`{"id":"evt_8","type":"payment.succeeded","data":{"payment_id":"pay_8","amount_minor":9223372036854775807,"currency":"USD"}}`,
		`{"id":"evt_9","type":"payment.refunded","data":{"payment_id":"pay_9","amount_minor":1e400,"currency":"BRL","refunded_minor":-0}}`,
		`{"id":"evt_\ud83d\ude00","type":"payment.failed","created":-9223372036854775808,"data":{"payment_id":"p\u0000","currency":"eur","failure_reason":"\u202e"}}`,
		`{"id":"evt_10","id":"","type":"payment.canceled","data":{"payment_id":"pay_10"},"data":null}`,
		`{"id":"evt_11","type":"payment.succeeded","x":` + strings.Repeat(`{"a":`, 200) + `0` + strings.Repeat(`}`, 200) + `,"data":{"payment_id":"pay_11"}}`,
	} {
		add([]byte(b))
	}
}

// FuzzParseWebhookSigned signs each fuzzed body correctly, now, so the
// input reaches the event decoding and mapping: whatever the body, the
// answer keeps the webhook contract and is the same on a redelivery.
func FuzzParseWebhookSigned(f *testing.F) {
	addWebhookSeeds(func(body []byte) { f.Add(body) })
	g, _ := newTestGateway(f, Config{})
	f.Fuzz(func(t *testing.T, body []byte) {
		h := http.Header{}
		h.Set(SignatureHeader, Sign(testSecret, time.Now(), body))
		a := gatewaytest.ParseTwice(t, g, domain.WebhookRequest{Header: h, Body: body})
		gatewaytest.CheckWebhookAnswer(t, a, domain.CodeInvalidInput)
	})
}

// objectTypes are the event types FuzzParseWebhookObject picks from:
// every one the sandbox sends and one it does not.
var objectTypes = []string{EventSucceeded, EventFailed, EventCanceled, EventRefunded, "payment.disputed"}

// dataSeeds are event data as the sandbox sends it and with wrong types,
// huge numbers, unicode and deep nesting, each with its type's index.
var dataSeeds = []struct {
	typ  byte
	data string
}{
	{0, `{"payment_id":"pay_1","order_id":"0190a6f1-7c1e-7b9a-9f0e-3c2d1e0f4a5b","amount_minor":1999,"currency":"EUR","refunded_minor":0,"failure_reason":""}`},
	{1, `{"payment_id":"pay_2","order_id":"o2","amount_minor":500,"currency":"USD","refunded_minor":0,"failure_reason":"insufficient_funds"}`},
	{2, `{"payment_id":"pay_3","order_id":"o3","amount_minor":100,"currency":"BRL","refunded_minor":0,"failure_reason":""}`},
	{3, `{"payment_id":"pay_1","order_id":"o1","amount_minor":1999,"currency":"EUR","refunded_minor":700,"failure_reason":""}`},
	{4, `{"payment_id":"pay_1"}`},
	{0, `{"payment_id":"pay_7","amount_minor":"1999","currency":"EUR"}`},
	{0, `{"payment_id":"pay_8","amount_minor":9223372036854775807,"currency":"USD"}`},
	{3, `{"payment_id":"pay_9","amount_minor":1e400,"currency":"BRL","refunded_minor":-0}`},
	{3, `{"payment_id":"pay_9","amount_minor":1999,"currency":"BRL","refunded_minor":-1}`},
	{1, `{"payment_id":"p\u0000\ud83d\ude00","currency":"eur","failure_reason":"\u202e"}`},
	{2, `{"payment_id":"pay_10","payment_id":"","x":` + strings.Repeat(`{"a":`, 200) + `0` + strings.Repeat(`}`, 200) + `}`},
	{0, `null`},
}

// FuzzParseWebhookObject fuzzes the data of a well-formed, correctly
// signed event of a type the sandbox sends (or one it does not), so most
// inputs reach the decoding of the data and the amount checks rather than
// stopping at a broken envelope.
func FuzzParseWebhookObject(f *testing.F) {
	for _, s := range dataSeeds {
		f.Add(s.typ, []byte(s.data))
	}
	g, _ := newTestGateway(f, Config{})
	f.Fuzz(func(t *testing.T, typ byte, data []byte) {
		body := []byte(`{"id":"evt_fuzz","type":"` + objectTypes[int(typ)%len(objectTypes)] + `","created":1700000000,"data":` + string(data) + `}`)
		h := http.Header{}
		h.Set(SignatureHeader, Sign(testSecret, time.Now(), body))
		a := gatewaytest.ParseTwice(t, g, domain.WebhookRequest{Header: h, Body: body})
		gatewaytest.CheckWebhookAnswer(t, a, domain.CodeInvalidInput)
	})
}

// FuzzParseWebhookForged sends each fuzzed body with a fuzzed signature
// header as is: without the secret no header verifies, so every delivery
// is INVALID_INPUT and gives no events.
func FuzzParseWebhookForged(f *testing.F) {
	old := time.Unix(1700000000, 0)
	addWebhookSeeds(func(body []byte) {
		f.Add(body, Sign(testSecret, old, body)) // stale
		f.Add(body, Sign([]byte("other"), time.Now(), body))
	})
	f.Add([]byte(`{}`), "")
	f.Add([]byte(`{}`), "t=1700000000,v1=zz,v1=00")
	f.Add([]byte(`{}`), "t=-9223372036854775808,v1=00,v0=ff")
	g, _ := newTestGateway(f, Config{})
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		req := domain.WebhookRequest{Header: http.Header{SignatureHeader: {header}}, Body: body}
		gatewaytest.CheckRefused(t, gatewaytest.ParseTwice(t, g, req))
	})
}
