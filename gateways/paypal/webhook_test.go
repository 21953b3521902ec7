package paypal

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/paypalemu"
)

// paid makes a captured 10.00 EUR payment on the emulator.
func paid(t *testing.T, emu *paypalemu.Emulator, gw *Gateway) (domain.Payment, domain.PaymentRequest) {
	t.Helper()
	var reqs requests
	req := reqs.next(gatewaytest.Succeed, domain.EUR)
	p, err := gw.CreatePayment(t.Context(), req)
	must(t, err)
	must(t, emu.Approve(p.ID))
	p, err = gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
	must(t, err)
	return p, req
}

func TestWebhookKinds(t *testing.T) {
	emu, gw := newEmu(t, nil)
	p, req := paid(t, emu, gw)
	_, err := gw.RefundPayment(t.Context(), domain.RefundRequest{PaymentID: p.ID, Amount: domain.Money{AmountMinor: 250, Currency: domain.EUR}, IdempotencyKey: "r-" + p.ID})
	must(t, err)
	st, _ := emu.Order(p.ID)
	capID := st.Captures[0].ID
	amt := map[string]string{"currency_code": "EUR", "value": "2.50"}
	capture := func(status string, related map[string]string) map[string]any {
		return map[string]any{
			"id": capID, "status": status, "amount": map[string]string{"currency_code": "EUR", "value": "10.00"},
			"custom_id": req.OrderID, "supplementary_data": map[string]any{"related_ids": related},
		}
	}
	withOrder := map[string]string{"order_id": p.ID}
	refundRes := func(extra map[string]any) map[string]any {
		r := map[string]any{"id": "REF1", "status": "COMPLETED", "amount": amt}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	breakdown := map[string]any{"total_refunded_amount": map[string]string{"currency_code": "EUR", "value": "7.50"}}
	up := []map[string]string{{"href": emu.URL() + "/v2/payments/captures/" + capID, "rel": "up"}}
	cases := []struct {
		name      string
		eventType string
		resource  any
		kind      domain.WebhookEventKind // "" when ignored
		orderID   string
		refunded  int64
		reason    string
	}{
		{"completed", "PAYMENT.CAPTURE.COMPLETED", capture("COMPLETED", withOrder), domain.EventPaymentSucceeded, req.OrderID, 0, ""},
		{"denied", "PAYMENT.CAPTURE.DENIED", capture("DECLINED", withOrder), domain.EventPaymentFailed, req.OrderID, 0, "DECLINED"},
		{"declined", "PAYMENT.CAPTURE.DECLINED", capture("DECLINED", withOrder), domain.EventPaymentFailed, req.OrderID, 0, "DECLINED"},
		{"pending", "PAYMENT.CAPTURE.PENDING", capture("PENDING", withOrder), domain.EventPaymentProcessing, req.OrderID, 0, ""},
		{"capture of no order", "PAYMENT.CAPTURE.COMPLETED", capture("COMPLETED", nil), "", "", 0, ""},
		{"refund naming its order", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"seller_payable_breakdown": breakdown, "custom_id": "x", "supplementary_data": map[string]any{"related_ids": withOrder}}), domain.EventPaymentRefunded, "x", 750, ""},
		{"refund naming its capture", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"seller_payable_breakdown": breakdown, "supplementary_data": map[string]any{"related_ids": map[string]string{"capture_id": capID}}}), domain.EventPaymentRefunded, req.OrderID, 750, ""},
		{"refund linking up", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"seller_payable_breakdown": breakdown, "links": up}), domain.EventPaymentRefunded, req.OrderID, 750, ""},
		{"refund without a total", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"links": up}), domain.EventPaymentRefunded, req.OrderID, 250, ""},
		{"refund of an unknown capture", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"links": []map[string]string{{"href": emu.URL() + "/v2/payments/captures/NOPE", "rel": "up"}}}), "", "", 0, ""},
		{"refund of nothing", "PAYMENT.CAPTURE.REFUNDED", refundRes(nil), "", "", 0, ""},
		// Found by FuzzParseWebhookSigned: these were NOT_FOUND, which the
		// webhook endpoint answers as an unknown gateway.
		{"refund without a total of an unknown order", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"supplementary_data": map[string]any{"related_ids": map[string]string{"order_id": "5O190127TN364715T"}}}), "", "", 0, ""},
		{"refund without a total of an impossible order id", "PAYMENT.CAPTURE.REFUNDED", refundRes(map[string]any{"supplementary_data": map[string]any{"related_ids": map[string]string{"order_id": "../x"}}}), "", "", 0, ""},
		{"order approved", "CHECKOUT.ORDER.APPROVED", map[string]any{"id": p.ID, "status": "APPROVED", "purchase_units": []map[string]any{{"custom_id": req.OrderID, "amount": map[string]string{"currency_code": "EUR", "value": "10.00"}}}}, domain.EventPaymentProcessing, req.OrderID, 0, ""},
		{"reversal ignored", "PAYMENT.CAPTURE.REVERSED", capture("REVERSED", withOrder), "", "", 0, ""},
		{"dispute ignored", "CUSTOMER.DISPUTE.CREATED", map[string]any{"dispute_id": "PP-D-1"}, "", "", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, body := emu.SignedWebhook(c.eventType, c.resource)
			evs, err := gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: h, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if c.kind == "" {
				if len(evs) != 0 {
					t.Fatalf("ignored event parsed to %+v", evs)
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			ev := evs[0]
			if !strings.HasPrefix(ev.ID, "WH-") || ev.Kind != c.kind || ev.PaymentID != p.ID || ev.OrderID != c.orderID || ev.Refunded != c.refunded || ev.FailureReason != c.reason || ev.OccurredAt.IsZero() {
				t.Fatalf("event %+v", ev)
			}
			if (c.kind == domain.EventPaymentSucceeded || c.kind == domain.EventPaymentFailed) && ev.Amount != req.Amount {
				t.Fatalf("amount %v", ev.Amount)
			}
		})
	}
}

// TestEmittedEvents parses what the emulator sends on its own during a
// payment's life: approval, capture, two refunds with cumulative totals.
func TestEmittedEvents(t *testing.T) {
	emu, gw := newEmu(t, nil)
	p, req := paid(t, emu, gw)
	for i, v := range []int64{300, 700} {
		_, err := gw.RefundPayment(t.Context(), domain.RefundRequest{PaymentID: p.ID, Amount: domain.Money{AmountMinor: v, Currency: domain.EUR}, IdempotencyKey: "r" + string(rune('0'+i))})
		must(t, err)
	}
	var got []string
	var refunded []int64
	for _, d := range emu.Events() {
		evs, err := gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: d.Header, Body: d.Body})
		if err != nil || len(evs) != 1 || evs[0].ID != d.EventID || evs[0].PaymentID != p.ID {
			t.Fatalf("%s: %+v, %v", d.EventType, evs, err)
		}
		got = append(got, string(evs[0].Kind))
		if evs[0].Kind == domain.EventPaymentRefunded {
			refunded = append(refunded, evs[0].Refunded)
		} else if evs[0].OrderID != req.OrderID {
			t.Fatalf("%s: order id %q", d.EventType, evs[0].OrderID)
		}
	}
	want := "PAYMENT_PROCESSING PAYMENT_SUCCEEDED PAYMENT_REFUNDED PAYMENT_REFUNDED"
	if strings.Join(got, " ") != want || len(refunded) != 2 || refunded[0] != 300 || refunded[1] != 1000 {
		t.Fatalf("events %v refunded %v", got, refunded)
	}
	// A retried delivery is a new transmission of the same event.
	d := emu.Events()[1]
	h, err := emu.Resign(d.Body)
	must(t, err)
	evs, err := gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: h, Body: d.Body})
	if err != nil || len(evs) != 1 || evs[0].ID != d.EventID {
		t.Fatalf("redelivery %+v, %v", evs, err)
	}
}

func TestBadWebhooks(t *testing.T) {
	emu, gw := newEmu(t, nil)
	p, _ := paid(t, emu, gw)
	res, err := emu.CaptureResource(p.ID)
	must(t, err)
	signed := func() (http.Header, []byte) { return emu.SignedWebhook("PAYMENT.CAPTURE.COMPLETED", res) }
	cases := map[string]func() (http.Header, []byte){
		"not json": func() (http.Header, []byte) { h, _ := signed(); return h, []byte("{") },
		"no event id": func() (http.Header, []byte) {
			h, _ := signed()
			return h, []byte(`{"event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{}}`)
		},
		"tampered": func() (http.Header, []byte) {
			h, b := signed()
			return h, bytes.Replace(b, []byte(`"10.00"`), []byte(`"99.00"`), 1)
		},
		"bad time": func() (http.Header, []byte) {
			h, b := signed()
			h.Set(paypalemu.HeaderTransmissionTime, "yesterday")
			return h, b
		},
		"stale": func() (http.Header, []byte) {
			return emu.SignedWebhookAt("PAYMENT.CAPTURE.COMPLETED", res, time.Now().Add(-DefaultWebhookMaxAge-time.Minute))
		},
	}
	for _, h := range []string{paypalemu.HeaderTransmissionID, paypalemu.HeaderTransmissionTime, paypalemu.HeaderTransmissionSig, paypalemu.HeaderCertURL, paypalemu.HeaderAuthAlgo} {
		cases["no "+h] = func() (http.Header, []byte) {
			hd, b := signed()
			hd.Del(h)
			return hd, b
		}
	}
	for name, mk := range cases {
		h, b := mk()
		evs, err := gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: h, Body: b})
		if domain.ErrorCode(err) != domain.CodeInvalidInput || evs != nil {
			t.Errorf("%s: %v, %v; want INVALID_INPUT", name, evs, err)
		}
	}

	// Lower-case header names, as some proxies pass them, still verify.
	h, b := signed()
	lower := http.Header{}
	for k, v := range h {
		lower[strings.ToLower(k)] = v
	}
	if evs, err := gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: lower, Body: b}); err != nil || len(evs) != 1 {
		t.Fatalf("lower-case headers: %v, %v", evs, err)
	}

	// Verification against another webhook id fails; without one, nothing
	// is accepted.
	for name, id := range map[string]string{"other webhook": "OTHERWEBHOOK", "no webhook id": ""} {
		_, other := newEmu(t, func(c *Config) { c.WebhookID = id; c.BaseURL = emu.URL() })
		if _, err := other.ParseWebhook(t.Context(), domain.WebhookRequest{Header: h, Body: b}); domain.ErrorCode(err) != domain.CodeInvalidInput {
			t.Errorf("%s: %v, want INVALID_INPUT", name, err)
		}
	}

	// With the age check off an old delivery verifies.
	_, lax := newEmu(t, func(c *Config) { c.WebhookMaxAge = -1; c.BaseURL = emu.URL(); c.WebhookID = emu.WebhookID() })
	oh, ob := emu.SignedWebhookAt("PAYMENT.CAPTURE.COMPLETED", res, time.Now().Add(-30*24*time.Hour))
	if _, err := lax.ParseWebhook(t.Context(), domain.WebhookRequest{Header: oh, Body: ob}); err != nil {
		t.Fatalf("age check off: %v", err)
	}

	// PayPal down: the delivery cannot be verified now, so it is not refused
	// as forged.
	emu.Outage(true)
	_, err = gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: h, Body: b})
	emu.Outage(false)
	if domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("verify during an outage = %v, want GATEWAY_UNAVAILABLE", err)
	}
}
