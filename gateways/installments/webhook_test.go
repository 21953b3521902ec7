package installments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

func TestWebhookEvents(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	req := cardRequest(mercadopagoemu.TokenApprove)
	p, err := gw.CreatePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		status, detail string
		refunded       int64
		kind           domain.WebhookEventKind
		wantRefunded   int64
		reason         string
	}{
		{"approved", "accredited", 0, domain.EventPaymentSucceeded, 0, ""},
		{"approved", "partially_refunded", 1000, domain.EventPaymentRefunded, 1000, ""},
		{"refunded", "refunded", 1234567, domain.EventPaymentRefunded, 1234567, ""},
		{"rejected", "cc_rejected_call_for_authorize", 0, domain.EventPaymentFailed, 0, "cc_rejected_call_for_authorize"},
		{"cancelled", "by_collector", 0, domain.EventPaymentCanceled, 0, ""},
		{"pending", "pending_challenge", 0, domain.EventPaymentRequiresAction, 0, ""},
		{"in_process", "pending_review_manual", 0, domain.EventPaymentProcessing, 0, ""},
		{"charged_back", "settled", 0, "", 0, ""},
		{"in_mediation", "", 0, "", 0, ""},
	}
	ids := map[string]bool{}
	for _, c := range cases {
		if c.refunded > 0 {
			if err := emu.SetRefunded(p.ID, c.refunded); err != nil {
				t.Fatal(err)
			}
		}
		if err := emu.SetStatus(p.ID, c.status, c.detail); err != nil {
			t.Fatal(err)
		}
		h, body := emu.SignedNotification(p.ID)
		evs, err := gw.ParseWebhook(ctx, domain.WebhookRequest{Header: h, Body: body})
		if err != nil {
			t.Fatalf("%s/%s: %v", c.status, c.detail, err)
		}
		if c.kind == "" {
			if len(evs) != 0 {
				t.Errorf("%s/%s: events %+v, want none", c.status, c.detail, evs)
			}
			continue
		}
		if len(evs) != 1 {
			t.Fatalf("%s/%s: %d events", c.status, c.detail, len(evs))
		}
		ev := evs[0]
		if ev.Kind != c.kind || ev.Refunded != c.wantRefunded || ev.FailureReason != c.reason ||
			ev.PaymentID != p.ID || ev.OrderID != req.OrderID || ev.Amount != req.Amount || ev.OccurredAt.IsZero() {
			t.Errorf("%s/%s: %+v, want %s refunded %d reason %q", c.status, c.detail, ev, c.kind, c.wantRefunded, c.reason)
		}
		if ids[ev.ID] {
			t.Errorf("%s/%s: event id %s repeated", c.status, c.detail, ev.ID)
		}
		ids[ev.ID] = true
		if err := emu.SetRefunded(p.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWebhookEventIDFollowsThePayment(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	p, _ := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenPending))
	h, body := emu.SignedNotification(p.ID)
	first, err := gw.ParseWebhook(ctx, domain.WebhookRequest{Header: h, Body: body})
	if err != nil || len(first) != 1 || first[0].Kind != domain.EventPaymentProcessing {
		t.Fatalf("first delivery = %+v, %v", first, err)
	}
	if !strings.HasSuffix(first[0].ID, ":in_process:pending_contingency:0") {
		t.Fatalf("event id %q", first[0].ID)
	}
	again, _ := gw.ParseWebhook(ctx, domain.WebhookRequest{Header: h, Body: body})
	if again[0].ID != first[0].ID {
		t.Fatalf("redelivery id %s, want %s", again[0].ID, first[0].ID)
	}
	if err := emu.Approve(p.ID); err != nil {
		t.Fatal(err)
	}
	later, _ := gw.ParseWebhook(ctx, domain.WebhookRequest{Header: h, Body: body})
	if later[0].ID == first[0].ID || later[0].Kind != domain.EventPaymentSucceeded {
		t.Fatalf("redelivery after approval = %+v; want a new succeeded event", later[0])
	}
}

func TestWebhookIgnoredAndRefused(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	p, _ := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenApprove))
	signed := func(body string) domain.WebhookRequest {
		h := http.Header{"X-Request-Id": {"req-1"}}
		h.Set("X-Signature", mercadopagoemu.Sign(mercadopagoemu.WebhookSecret, "42", "req-1", time.Now().Unix()))
		return domain.WebhookRequest{Header: h, Body: []byte(body)}
	}
	ignored := map[string]domain.WebhookRequest{
		"merchant order": signed(`{"id": 1, "type": "merchant_order", "action": "merchant_order.updated", "data": {"id": "42"}}`),
		"unknown payment": func() domain.WebhookRequest {
			h, body := emu.SignedNotification("999999")
			return domain.WebhookRequest{Header: h, Body: body}
		}(),
	}
	for name, req := range ignored {
		if evs, err := gw.ParseWebhook(ctx, req); err != nil || len(evs) != 0 {
			t.Errorf("%s: %+v, %v; want ignored", name, evs, err)
		}
	}
	h, body := emu.SignedNotification(p.ID)
	tampered := strings.Replace(string(body), p.ID, "1310000999", 1)
	refused := map[string]domain.WebhookRequest{
		"not json":            signed(`{"id": 1,`),
		"no data id":          signed(`{"id": 1, "type": "payment", "data": {}}`),
		"no id":               signed(`{"type": "payment", "data": {"id": "42"}}`),
		"non-numeric payment": {Header: signedFor("abc"), Body: []byte(`{"id": 1, "type": "payment", "data": {"id": "abc"}}`)},
		"other payment":       {Header: h, Body: []byte(tampered)},
	}
	for name, req := range refused {
		if evs, err := gw.ParseWebhook(ctx, req); domain.ErrorCode(err) != domain.CodeInvalidInput || len(evs) != 0 {
			t.Errorf("%s: %+v, %v; want INVALID_INPUT", name, evs, err)
		}
	}
}

func signedFor(dataID string) http.Header {
	h := http.Header{"X-Request-Id": {"req-2"}}
	h.Set("X-Signature", mercadopagoemu.Sign(mercadopagoemu.WebhookSecret, dataID, "req-2", time.Now().Unix()))
	return h
}

func TestWebhookNumericIDsAndOutage(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	p, _ := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenApprove))
	body := `{"id": 112233445566, "live_mode": false, "type": "payment", "date_created": "2026-05-25T13:01:08.000-03:00",
		"action": "payment.updated", "data": {"id": ` + p.ID + `}}`
	req := domain.WebhookRequest{Header: signedFor(p.ID), Body: []byte(body)}
	evs, err := gw.ParseWebhook(ctx, req)
	if err != nil || len(evs) != 1 || !strings.HasPrefix(evs[0].ID, "112233445566:approved:") {
		t.Fatalf("numeric ids = %+v, %v", evs, err)
	}
	if want := time.Date(2026, 5, 25, 16, 1, 8, 0, time.UTC); !evs[0].OccurredAt.Equal(want) {
		t.Fatalf("occurred at %v, want %v", evs[0].OccurredAt, want)
	}
	emu.Outage(true)
	defer emu.Outage(false)
	if _, err := gw.ParseWebhook(ctx, req); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("webhook during an outage = %v, want GATEWAY_UNAVAILABLE", err)
	}
}

func TestAutoNotifyReachesParseWebhook(t *testing.T) {
	got := make(chan domain.WebhookRequest, 4)
	recv := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- domain.WebhookRequest{Header: r.Header.Clone(), Body: body}
	})
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	gw, emu := newTestGateway(t, func(c *Config) { c.NotificationURL = srv.URL + "/webhooks/installments" })
	emu.SetAutoNotify(true)
	ctx := context.Background()
	p, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenApprove))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case req := <-got:
		evs, err := gw.ParseWebhook(ctx, req)
		if err != nil || len(evs) != 1 || evs[0].Kind != domain.EventPaymentSucceeded || evs[0].PaymentID != p.ID {
			t.Fatalf("delivered notification parsed to %+v, %v", evs, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification delivered")
	}
}

// TestWebhookUnusablePayment: found by FuzzParseWebhookSigned, a 200
// answer without a payment (empty or null body) panicked ParseWebhook and
// GetPayment, and amounts no payment has became events with a negative
// amount (a huge one overflowed int64 centavos). Such an answer is
// GATEWAY_UNAVAILABLE (Mercado Pago retries the notification later).
func TestWebhookUnusablePayment(t *testing.T) {
	for name, payment := range map[string]string{
		"empty body":         ``,
		"null":               `null`,
		"negative amount":    strings.Replace(paymentSeed, `"transaction_amount":12345.67`, `"transaction_amount":-1`, 1),
		"negative refund":    strings.Replace(paymentSeed, `"transaction_amount_refunded":0`, `"transaction_amount_refunded":-0.5`, 1),
		"overflowing amount": strings.Replace(paymentSeed, `"transaction_amount":12345.67`, `"transaction_amount":1e300`, 1),
		"overflowing refund": strings.Replace(paymentSeed, `"transaction_amount_refunded":0`, `"transaction_amount_refunded":92233720368547758.07`, 1),
		"just beyond 2^53 ¢": strings.Replace(paymentSeed, `"transaction_amount":12345.67`, `"transaction_amount":90071992547409.93`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			p := &fuzzProvider{status: http.StatusOK, body: []byte(payment)}
			gw := fuzzGateway(t, p)
			body := []byte(notificationSeeds[0])
			evs, err := gw.ParseWebhook(t.Context(), domain.WebhookRequest{Header: signNotification(body), Body: body})
			if domain.ErrorCode(err) != domain.CodeGatewayUnavailable || evs != nil {
				t.Errorf("ParseWebhook = %+v, %v; want GATEWAY_UNAVAILABLE", evs, err)
			}
			if pay, err := gw.GetPayment(t.Context(), "1310000001"); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
				t.Errorf("GetPayment = %+v, %v; want GATEWAY_UNAVAILABLE", pay, err)
			}
		})
	}
	// The largest amount still converts exactly.
	p := &fuzzProvider{status: http.StatusOK, body: []byte(strings.Replace(paymentSeed, `"transaction_amount":12345.67`, `"transaction_amount":90071992547409.92`, 1))}
	pay, err := fuzzGateway(t, p).GetPayment(t.Context(), "1310000001")
	if err != nil || pay.Amount.AmountMinor != 1<<53 {
		t.Fatalf("GetPayment = %+v, %v; want 2^53 centavos", pay, err)
	}
}

// logTo is a Config tweak that writes the gateway's log to buf.
func logTo(buf *bytes.Buffer) func(*Config) {
	return func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(buf, nil)) }
}

// TestWebhookRefusesAnotherPayment: the payment fetched for a notification
// must be the one notified. An answer about another payment (here an
// approved one, while the notified payment is still in process) is
// refused, GATEWAY_UNAVAILABLE with no events, and logged; the redelivery,
// answered truly, gives the notified payment's own state.
func TestWebhookRefusesAnotherPayment(t *testing.T) {
	var logs bytes.Buffer
	gw, emu := newTestGateway(t, logTo(&logs))
	ctx := context.Background()
	notified, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenPending))
	if err != nil {
		t.Fatal(err)
	}
	other := approvedPayment(t, gw)
	h, body := emu.SignedNotification(notified.ID)
	req := domain.WebhookRequest{Header: h, Body: body}
	for name, arm := range map[string]func(){
		"another payment's answer": func() {
			emu.Tamper(mercadopagoemu.RouteGetPayment, func(a *mercadopagoemu.Answer) {
				// An approved payment's answer, as a mixed-up cache or proxy would send it.
				a.Body = bytes.ReplaceAll(a.Body, []byte(notified.ID), []byte(other.ID))
				a.Body = bytes.Replace(a.Body, []byte(`"status":"in_process"`), []byte(`"status":"approved"`), 1)
			})
		},
		"the notified payment under another id": func() {
			emu.EditNext(mercadopagoemu.RouteGetPayment, func(o map[string]any) { o["id"] = json.Number(other.ID) })
		},
	} {
		logs.Reset()
		arm()
		evs, err := gw.ParseWebhook(ctx, req)
		if domain.ErrorCode(err) != domain.CodeGatewayUnavailable || evs != nil {
			t.Errorf("%s: %+v, %v; want GATEWAY_UNAVAILABLE and no events", name, evs, err)
		}
		if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "answered="+other.ID) {
			t.Errorf("%s: logged %q", name, logs.String())
		}
	}
	evs, err := gw.ParseWebhook(ctx, req)
	if err != nil || len(evs) != 1 || evs[0].PaymentID != notified.ID || evs[0].Kind != domain.EventPaymentProcessing {
		t.Fatalf("redelivery answered truly = %+v, %v", evs, err)
	}
}

// TestWebhookPaymentCurrency: a notified payment in a currency Tally does
// not know is not usable for settlement: refused (GATEWAY_UNAVAILABLE, no
// events) and logged with the payment and the currency. BRL in any case,
// or left out (Mercado Pago Brazil charges BRL only), is BRL; another
// currency Tally knows is reported as it is, for settlement to hold the
// order for review (it is not the order's).
func TestWebhookPaymentCurrency(t *testing.T) {
	var logs bytes.Buffer
	gw, emu := newTestGateway(t, logTo(&logs))
	ctx := context.Background()
	p := approvedPayment(t, gw)
	cases := []struct {
		currency any // the currency_id answered; nil leaves it out
		want     domain.Currency
	}{
		{"BRL", domain.BRL},
		{"brl", domain.BRL},
		{nil, domain.BRL},
		{"", domain.BRL},
		{"USD", domain.USD},
		{"ARS", ""},
		{"MXN", ""},
		{"XBT", ""},
		{"BRL ", ""},
		{"R$", ""},
	}
	for _, c := range cases {
		logs.Reset()
		emu.EditNext(mercadopagoemu.RouteGetPayment, func(o map[string]any) {
			if c.currency == nil {
				delete(o, "currency_id")
			} else {
				o["currency_id"] = c.currency
			}
		})
		h, body := emu.SignedNotification(p.ID)
		evs, err := gw.ParseWebhook(ctx, domain.WebhookRequest{Header: h, Body: body})
		if c.want == "" {
			if domain.ErrorCode(err) != domain.CodeGatewayUnavailable || evs != nil {
				t.Errorf("currency_id %q: %+v, %v; want GATEWAY_UNAVAILABLE", c.currency, evs, err)
			}
			if !strings.Contains(logs.String(), "payment="+p.ID) || !strings.Contains(logs.String(), fmt.Sprintf("currency=%q", c.currency)) &&
				!strings.Contains(logs.String(), fmt.Sprintf("currency=%s", c.currency)) {
				t.Errorf("currency_id %q: logged %q", c.currency, logs.String())
			}
			continue
		}
		if err != nil || len(evs) != 1 || evs[0].Amount != (domain.Money{AmountMinor: 1234567, Currency: c.want}) {
			t.Errorf("currency_id %q: %+v, %v; want an event of 12345.67 %s", c.currency, evs, err, c.want)
		}
		if logs.Len() != 0 {
			t.Errorf("currency_id %q: logged %q", c.currency, logs.String())
		}
	}
}
