package installments

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

// fuzzProvider is Mercado Pago as the fuzz targets see it, in process:
// every GET /v1/payments/{id} answers status and body, whatever the id.
type fuzzProvider struct {
	status int
	body   []byte
	calls  atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (p *fuzzProvider) RoundTrip(r *http.Request) (*http.Response, error) {
	p.calls.Add(1)
	if r.Body != nil {
		_ = r.Body.Close()
	}
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v1/payments/") {
		return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(strings.NewReader(`{"message":"not found"}`)), Request: r}, nil
	}
	return &http.Response{StatusCode: p.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(p.body)), Request: r}, nil
}

// fuzzGateway is a gateway whose Mercado Pago is p.
func fuzzGateway(f testing.TB, p *fuzzProvider) *Gateway {
	f.Helper()
	gw, err := New(Config{
		AccessToken:   mercadopagoemu.AccessToken,
		WebhookSecret: mercadopagoemu.WebhookSecret,
		BaseURL:       "https://mp.invalid",
		HTTPClient:    &http.Client{Transport: p, Timeout: 5 * time.Second},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	return gw
}

// providerStatuses are the answers of Mercado Pago a fuzzed byte picks
// from; mostly a 200 whose body is the fuzzed payment.
var providerStatuses = []int{200, 200, 200, 200, 404, 400, 401, 429, 500, 503}

// paymentSeed is a payment as GET /v1/payments/{id} renders it (the
// emulator's shape), for the fuzzed provider answers.
const paymentSeed = `{"id":1310000001,"date_created":"2026-05-25T13:01:08.000-03:00","date_approved":"2026-05-25T13:01:09.000-03:00",` +
	`"date_last_updated":"2026-05-25T13:01:09.000-03:00","operation_type":"regular_payment","payment_method_id":"master",` +
	`"payment_type_id":"credit_card","status":"approved","status_detail":"accredited","currency_id":"BRL",` +
	`"description":"1000 credits","live_mode":false,"collector_id":1234567,"metadata":{"order_id":"order-1"},` +
	`"external_reference":"order-1","transaction_amount":12345.67,"transaction_amount_refunded":0,"coupon_amount":0,` +
	`"installments":7,"transaction_details":{"net_received_amount":12345.67,"total_paid_amount":12345.67,` +
	`"installment_amount":1763.67},"captured":true,"refunds":[],"processing_mode":"aggregator"}`

// notificationSeeds are Webhooks notifications as Mercado Pago sends them.
var notificationSeeds = []string{
	`{"id":112233445566,"live_mode":false,"type":"payment","date_created":"2026-05-25T13:01:08.000-03:00","user_id":1234567,"api_version":"v1","action":"payment.updated","data":{"id":"1310000001"}}`,
	`{"id":"7","type":"payment","action":"payment.created","date_created":"2026-05-25T16:01:08Z","data":{"id":1310000001}}`,
	`{"id":1,"type":"merchant_order","action":"merchant_order.updated","data":{"id":"42"}}`,
	`{"id":1,"type":"payment","data":{"id":"abc"}}`,
	`{"id":1,"type":"payment","data":{}}`,
	`{"type":"payment","data":{"id":"42"}}`,
	`{"id": 1,`,
	// Ids of every JSON type and of odd shapes, a bad date, unicode.
	`{"id":1.5e3,"type":"payment","date_created":"yesterday","data":{"id":" 0042 "}}`,
	`{"id":{"a":1},"type":"payment","data":{"id":"1310000001"}}`,
	`{"id":"\u00e9","type":"payment","data":{"id":"-1"}}`,
	`{"id":"n","type":"payment","data":{"id":"99999999999999999999"}}`,
	`{"id":"n","type":"payment","data":{"id":"ABC"}}`,
	`{"id":"n","type":"payment","data":{"id":"\u0661\u0662"}}`,
	`{"id":true,"type":"payment","data":{"id":[1]}}`,
}

// signNotification signs a notification body the way Mercado Pago does, now: the
// manifest of its data.id (read as ParseWebhook reads it).
func signNotification(body []byte) http.Header {
	var n notification
	_ = json.Unmarshal(body, &n)
	h := http.Header{"X-Request-Id": {"req-fuzz"}}
	h.Set("X-Signature", mercadopagoemu.Sign(mercadopagoemu.WebhookSecret, rawID(n.Data.ID), "req-fuzz", time.Now().Unix()))
	return h
}

// FuzzParseWebhookSigned signs each fuzzed notification correctly, now, and
// answers the payment fetch it makes with a fuzzed status and payment, so
// both the notification decoding and the payment mapping see any input:
// the answer keeps the webhook contract (a bad notification is
// INVALID_INPUT; a payment Mercado Pago answers with something unusable
// is GATEWAY_UNAVAILABLE, or INVALID_INPUT for a 4xx) and is the same on a
// redelivery while the payment is unchanged.
func FuzzParseWebhookSigned(f *testing.F) {
	for _, n := range notificationSeeds {
		f.Add([]byte(n), byte(0), []byte(paymentSeed))
	}
	for i, p := range []string{
		paymentSeed,
		strings.Replace(paymentSeed, `"transaction_amount_refunded":0`, `"transaction_amount_refunded":100.5`, 1),
		strings.Replace(paymentSeed, `"status":"approved","status_detail":"accredited"`, `"status":"refunded","status_detail":"refunded"`, 1),
		strings.Replace(paymentSeed, `"status":"approved","status_detail":"accredited"`, `"status":"rejected","status_detail":"cc_rejected_other_reason"`, 1),
		strings.Replace(paymentSeed, `"status":"approved","status_detail":"accredited"`, `"status":"pending","status_detail":"pending_challenge","three_ds_info":{"external_resource_url":"https://mp.test/3ds","creq":"eyJ"}`, 1),
		strings.Replace(paymentSeed, `"status":"approved","status_detail":"accredited"`, `"status":"in_process","status_detail":"pending_contingency"`, 1),
		strings.Replace(paymentSeed, `"status":"approved","status_detail":"accredited"`, `"status":"cancelled","status_detail":"by_collector"`, 1),
		strings.Replace(paymentSeed, `"status":"approved","status_detail":"accredited"`, `"status":"charged_back","status_detail":"settled"`, 1),
		`{"message":"Payment not found","error":"not_found","status":404,"cause":[{"code":2000,"description":"Payment not found"}]}`,
		`{"id":1,"status":"approved","transaction_amount":-1}`,
		`{"id":1,"status":"approved","transaction_amount":"10.00"}`,
		`{"id":"1","status":"refunded","transaction_amount":1e300}`,
		`{"id":1,"status":"refunded","transaction_amount":10.005,"transaction_amount_refunded":0,"external_reference":"\u202e","metadata":{"order_id":7}}`,
		`{"id":1,"status":"mystery","date_last_updated":"not a date"}`,
		`{"id":1,"status":"pending","status_detail":"pending_challenge","three_ds_info":null}`,
		`null`,
		``,
	} {
		f.Add([]byte(notificationSeeds[0]), byte(i), []byte(p))
	}
	p := &fuzzProvider{}
	gw := fuzzGateway(f, p)
	f.Fuzz(func(t *testing.T, body []byte, status byte, payment []byte) {
		p.status, p.body = providerStatuses[int(status)%len(providerStatuses)], payment
		p.calls.Store(0)
		a := gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: signNotification(body), Body: body})
		if p.calls.Load() == 0 {
			// Nothing was asked of Mercado Pago: only the notification
			// can be at fault.
			gatewaytest.CheckWebhookAnswer(t, a, domain.CodeInvalidInput)
			return
		}
		gatewaytest.CheckWebhookAnswer(t, a, domain.CodeInvalidInput, domain.CodeGatewayUnavailable)
	})
}

// FuzzParseWebhookForged sends each fuzzed notification with a fuzzed
// x-signature and x-request-id as is: without the secret none verifies,
// so every delivery is INVALID_INPUT, gives no events, and makes no call to
// Mercado Pago.
func FuzzParseWebhookForged(f *testing.F) {
	old := time.Unix(1700000000, 0).Unix()
	for _, n := range notificationSeeds {
		f.Add([]byte(n), mercadopagoemu.Sign(mercadopagoemu.WebhookSecret, "1310000001", "req-1", old), "req-1") // stale
		f.Add([]byte(n), mercadopagoemu.Sign("other-secret", "1310000001", "req-1", time.Now().Unix()), "req-1")
	}
	f.Add([]byte(notificationSeeds[0]), "", "")
	f.Add([]byte(notificationSeeds[0]), "ts=,v1=", "")
	f.Add([]byte(notificationSeeds[0]), "ts=99999999999999999999,v1=zz", "r")
	p := &fuzzProvider{status: http.StatusOK, body: []byte(paymentSeed)}
	gw := fuzzGateway(f, p)
	f.Fuzz(func(t *testing.T, body []byte, signature, requestID string) {
		h := http.Header{}
		h.Set("X-Signature", signature)
		h.Set("X-Request-Id", requestID)
		p.calls.Store(0)
		gatewaytest.CheckRefused(t, gatewaytest.ParseTwice(t, gw, domain.WebhookRequest{Header: h, Body: body}))
		if n := p.calls.Load(); n != 0 {
			t.Fatalf("a forged notification made %d calls to Mercado Pago", n)
		}
	})
}
