package sandbox

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

func TestSign(t *testing.T) {
	// Computed independently: HMAC-SHA256("whsec_sandbox_test", `1700000000.{"id":"evt_1"}`).
	want := "t=1700000000,v1=ce3a3143fb5250735df2dd7b03040fbbf8771b4c4db1ea319d22a45ba73204b6"
	if got := Sign(testSecret, time.Unix(1700000000, 0), []byte(`{"id":"evt_1"}`)); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestParseWebhookSignature(t *testing.T) {
	now := time.Unix(1700000000, 0)
	g, _ := newTestGateway(t, Config{Clock: func() time.Time { return now }})
	body := []byte(`{"id":"evt_1","type":"payment.succeeded","created":1700000000,"data":{"payment_id":"pay_1","order_id":"o1","amount_minor":500,"currency":"EUR"}}`)
	good := Sign(testSecret, now, body)
	tests := []struct {
		name   string
		header string
		body   []byte
		// wantErr is the cause wrapped in INVALID_INPUT; nil for a valid call.
		wantErr error
	}{
		{name: "valid", header: good, body: body},
		{name: "valid within tolerance in the past", header: Sign(testSecret, now.Add(-4*time.Minute), body), body: body},
		{name: "valid within tolerance in the future", header: Sign(testSecret, now.Add(4*time.Minute), body), body: body},
		{name: "one of several v1 matches", header: good + ",v1=00ff,v1=zz", body: body},
		{name: "spaces after commas", header: "t=1700000000, v1=" + good[len("t=1700000000,v1="):], body: body},
		{name: "missing", header: "", body: body, wantErr: errNoSignature},
		{name: "no timestamp", header: good[len("t=1700000000,"):], body: body, wantErr: errNoSignature},
		{name: "no v1", header: "t=1700000000", body: body, wantErr: errNoSignature},
		{name: "bad hex", header: "t=1700000000,v1=xyz", body: body, wantErr: errNoSignature},
		{name: "bad timestamp", header: "t=soon," + good[len("t=1700000000,"):], body: body, wantErr: errNoSignature},
		{name: "wrong secret", header: Sign([]byte("other"), now, body), body: body, wantErr: errBadSignature},
		{name: "body changed", header: good, body: append([]byte(" "), body...), wantErr: errBadSignature},
		{name: "timestamp changed", header: "t=1700000001," + good[len("t=1700000000,"):], body: body, wantErr: errBadSignature},
		{name: "v0 scheme only", header: "t=1700000000,v0=" + good[len("t=1700000000,v1="):], body: body, wantErr: errNoSignature},
		{name: "stale", header: Sign(testSecret, now.Add(-6*time.Minute), body), body: body, wantErr: errStale},
		{name: "from the future", header: Sign(testSecret, now.Add(6*time.Minute), body), body: body, wantErr: errStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set(SignatureHeader, tt.header)
			}
			evs, err := g.ParseWebhook(context.Background(), domain.WebhookRequest{Header: h, Body: tt.body})
			if tt.wantErr == nil {
				if err != nil || len(evs) != 1 {
					t.Fatalf("ParseWebhook = %v, %v; want one event", evs, err)
				}
				return
			}
			if domain.ErrorCode(err) != domain.CodeInvalidInput || !errors.Is(err, tt.wantErr) || len(evs) != 0 {
				t.Fatalf("ParseWebhook = %v, %v; want INVALID_INPUT wrapping %v", evs, err, tt.wantErr)
			}
		})
	}
}

func TestParseWebhookEvents(t *testing.T) {
	now := time.Unix(1700000000, 0)
	g, _ := newTestGateway(t, Config{Clock: func() time.Time { return now }})
	data := EventData{PaymentID: "pay_1", OrderID: "order-1", AmountMinor: 1999, Currency: "BRL"}
	tests := []struct {
		typ      string
		refunded int64
		reason   string
		want     domain.WebhookEventKind // "" when ignored
	}{
		{typ: EventSucceeded, want: domain.EventPaymentSucceeded},
		{typ: EventFailed, reason: "insufficient_funds", want: domain.EventPaymentFailed},
		{typ: EventCanceled, want: domain.EventPaymentCanceled},
		{typ: EventRefunded, refunded: 700, want: domain.EventPaymentRefunded},
		{typ: "payment.disputed"},
		{typ: ""},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			d := data
			d.RefundedMinor, d.FailureReason = tt.refunded, tt.reason
			req := g.Webhook(Event{ID: "evt_" + tt.typ, Type: tt.typ, Created: now.Unix() - 3, Data: d})
			evs, err := g.ParseWebhook(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(evs) != 0 {
					t.Fatalf("events %+v, want the type ignored", evs)
				}
				return
			}
			want := domain.WebhookEvent{
				ID: "evt_" + tt.typ, Kind: tt.want, PaymentID: "pay_1", OrderID: "order-1",
				Amount:   domain.Money{AmountMinor: 1999, Currency: domain.BRL},
				Refunded: tt.refunded, FailureReason: tt.reason, OccurredAt: now.Add(-3 * time.Second).UTC(),
			}
			if len(evs) != 1 || evs[0] != want {
				t.Fatalf("events %+v, want %+v", evs, want)
			}
		})
	}
}

func TestParseWebhookMalformedBody(t *testing.T) {
	g, _ := newTestGateway(t, Config{})
	for name, body := range map[string]string{
		"not JSON":      `{"id":`,
		"no event id":   `{"type":"payment.succeeded","data":{"payment_id":"pay_1"}}`,
		"no payment id": `{"id":"evt_1","type":"payment.succeeded","data":{}}`,
		// Found by FuzzParseWebhookSigned: these were events.
		"negative amount":          `{"id":"evt_1","type":"payment.succeeded","data":{"payment_id":"pay_1","amount_minor":-1999,"currency":"EUR"}}`,
		"negative refunded":        `{"id":"evt_1","type":"payment.refunded","data":{"payment_id":"pay_1","amount_minor":1999,"currency":"EUR","refunded_minor":-1}}`,
		"amount without currency":  `{"id":"evt_1","type":"payment.refunded","data":{"payment_id":"pay_1","amount_minor":1}}`,
		"unsupported currency":     `{"id":"evt_1","type":"payment.succeeded","data":{"payment_id":"pay_1","amount_minor":0,"currency":"XYZ"}}`,
		"success without currency": `{"id":"evt_1","type":"payment.succeeded","data":{"payment_id":"pay_1","amount_minor":0}}`,
		"success stating nothing":  `{"id":"evt_1","type":"payment.succeeded","data":{"payment_id":"pay_1"}}`,
	} {
		h := http.Header{}
		h.Set(SignatureHeader, Sign(testSecret, time.Now(), []byte(body)))
		evs, err := g.ParseWebhook(context.Background(), domain.WebhookRequest{Header: h, Body: []byte(body)})
		if domain.ErrorCode(err) != domain.CodeInvalidInput || len(evs) != 0 {
			t.Errorf("%s: ParseWebhook = %v, %v; want INVALID_INPUT", name, evs, err)
		}
	}
}
