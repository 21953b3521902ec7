package paypal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/paypalemu"
)

// newEmu starts an emulator and a gateway configured against it; edit may
// change the configuration first.
func newEmu(t testing.TB, edit func(*Config)) (*paypalemu.Emulator, *Gateway) {
	t.Helper()
	emu := paypalemu.New()
	t.Cleanup(emu.Close)
	cfg := Config{
		ClientID:  emu.ClientID(),
		Secret:    emu.Secret(),
		WebhookID: emu.WebhookID(),
		BaseURL:   emu.URL(),
		ReturnURL: "https://tally.example/checkout/return",
		Timeout:   5 * time.Second,
	}
	if edit != nil {
		edit(&cfg)
	}
	gw, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return emu, gw
}

// requests hands out payment requests with unique ids and remembers the
// outcome each was made for, by Tally order id.
type requests struct {
	mu       sync.Mutex
	n        int
	outcomes map[string]gatewaytest.Outcome
}

func (r *requests) next(o gatewaytest.Outcome, cur domain.Currency) domain.PaymentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.outcomes == nil {
		r.outcomes = map[string]gatewaytest.Outcome{}
	}
	id := fmt.Sprintf("order-%d-%d", time.Now().UnixNano(), r.n)
	r.outcomes[id] = o
	return domain.PaymentRequest{
		OrderID:        id,
		OrderNumber:    fmt.Sprintf("ORD-2026-%06d", r.n),
		Customer:       domain.Customer{OrgID: "org-1", Name: "Acme", Email: "billing@acme.example", Country: "DE"},
		Amount:         domain.Money{AmountMinor: 1000, Currency: cur},
		Installments:   1,
		Method:         domain.MethodPayPal,
		Description:    "Standard pack × 1",
		IdempotencyKey: "create-" + id,
	}
}

func (r *requests) outcome(orderID string) gatewaytest.Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outcomes[orderID]
}

// eventType is the PayPal event a harness delivers for a kind.
var eventType = map[domain.WebhookEventKind]string{
	domain.EventPaymentSucceeded:  "PAYMENT.CAPTURE.COMPLETED",
	domain.EventPaymentFailed:     "PAYMENT.CAPTURE.DENIED",
	domain.EventPaymentRefunded:   "PAYMENT.CAPTURE.REFUNDED",
	domain.EventPaymentProcessing: "CHECKOUT.ORDER.APPROVED",
}

// resource builds the resource PayPal sends with an event about p: its
// capture (status DECLINED for a denial) or a refund whose cumulative total
// is refunded, naming its capture by an "up" link only, as PayPal's do.
func resource(t *testing.T, emu *paypalemu.Emulator, kind domain.WebhookEventKind, p domain.Payment, refunded int64) any {
	t.Helper()
	raw, err := emu.CaptureResource(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	switch kind {
	case domain.EventPaymentFailed:
		c["status"] = "DECLINED"
	case domain.EventPaymentRefunded:
		total := domain.Money{AmountMinor: refunded, Currency: p.Amount.Currency}
		amt := map[string]string{"currency_code": string(total.Currency), "value": total.Decimal()}
		return map[string]any{
			"id": "1JU08902781691411", "status": "COMPLETED", "amount": amt,
			"seller_payable_breakdown": map[string]any{"gross_amount": amt, "net_amount": amt, "total_refunded_amount": amt},
			"links": []map[string]string{
				{"href": emu.URL() + "/v2/payments/refunds/1JU08902781691411", "rel": "self", "method": "GET"},
				{"href": emu.URL() + "/v2/payments/captures/" + c["id"].(string), "rel": "up", "method": "GET"},
			},
		}
	}
	return c
}

func TestContract(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	webhook := func(t *testing.T, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest {
		h, b := emu.SignedWebhook(eventType[kind], resource(t, emu, kind, p, refunded))
		return domain.WebhookRequest{Header: h, Body: b}
	}
	gatewaytest.Run(t, gatewaytest.Harness{
		Gateway: gw,
		Request: func(t *testing.T, o gatewaytest.Outcome) domain.PaymentRequest { return reqs.next(o, domain.EUR) },
		Complete: func(t *testing.T, p domain.Payment) {
			if err := emu.Approve(p.ID); err != nil {
				t.Fatal(err)
			}
			st, _ := emu.Order(p.ID)
			if reqs.outcome(st.CustomID) == gatewaytest.Decline {
				if err := emu.DeclineNextCapture(p.ID); err != nil {
					t.Fatal(err)
				}
			}
		},
		Webhook: webhook,
		Forge: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			req := webhook(t, domain.EventPaymentSucceeded, p, 0)
			req.Header.Set(paypalemu.HeaderTransmissionSig, "bm90IGEgc2lnbmF0dXJl")
			return req
		},
		Stale: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			h, b := emu.SignedWebhookAt(eventType[domain.EventPaymentSucceeded], resource(t, emu, domain.EventPaymentSucceeded, p, 0), time.Now().Add(-4*24*time.Hour))
			return domain.WebhookRequest{Header: h, Body: b}
		},
		Outage: func(t *testing.T) func() {
			emu.Outage(true)
			return func() { emu.Outage(false) }
		},
	})
}

func TestCheckoutPageRedirectsBack(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	req := reqs.next(gatewaytest.Succeed, domain.USD)
	req.ReturnURL = "https://spa.example/orders/1?from=paypal"
	p, err := gw.CreatePayment(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := emu.Order(p.ID)
	if st.CustomID != req.OrderID || st.InvoiceID != req.OrderNumber || st.ReturnURL != req.ReturnURL || st.CancelURL != req.ReturnURL {
		t.Fatalf("PayPal got %+v for %+v", st, req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(p.NextAction.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Host != "spa.example" || loc.Query().Get("token") != p.ID || loc.Query().Get("from") != "paypal" {
		t.Fatalf("approval page answered %d, Location %v", resp.StatusCode, loc)
	}
	got, err := gw.ConfirmPayment(t.Context(), p.ID, "confirm-"+p.ID)
	if err != nil || got.Status != domain.PaymentSucceeded || got.Amount != req.Amount {
		t.Fatalf("after the buyer approved: %+v, %v", got, err)
	}
}

func TestVaultContract(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	var saves atomic.Int64
	outcomes := map[gatewaytest.Outcome]paypalemu.CaptureOutcome{
		gatewaytest.Succeed:       paypalemu.CaptureCompleted,
		gatewaytest.Decline:       paypalemu.CaptureDeclined,
		gatewaytest.RequireAction: paypalemu.VaultPayerActionRequired,
	}
	gatewaytest.RunVault(t, gatewaytest.VaultHarness{
		Gateway: gw,
		Save: func(t *testing.T, _ gatewaytest.Outcome) domain.SaveMethodRequest {
			return saveRequest(fmt.Sprintf("vault-contract-%d", saves.Add(1)))
		},
		Approve: func(t *testing.T, m domain.SavedMethod) { must(t, emu.ApproveSetupToken(m.SetupRef)) },
		Script: func(t *testing.T, o gatewaytest.Outcome, m domain.SavedMethod) {
			must(t, emu.SetVaultOutcome(m.Ref, outcomes[o]))
		},
		Request:      func(t *testing.T) domain.PaymentRequest { return reqs.next(gatewaytest.Succeed, domain.USD) },
		AuthRequired: true,
	})
}
