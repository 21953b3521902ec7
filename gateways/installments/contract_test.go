package installments

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

// newTestGateway starts an emulator and a gateway configured against it.
func newTestGateway(t *testing.T, tweak ...func(*Config)) (*Gateway, *mercadopagoemu.Emulator) {
	t.Helper()
	emu := mercadopagoemu.New()
	t.Cleanup(emu.Close)
	cfg := Config{
		AccessToken:     mercadopagoemu.AccessToken,
		WebhookSecret:   mercadopagoemu.WebhookSecret,
		BaseURL:         emu.URL(),
		Timeout:         5 * time.Second,
		NotificationURL: "https://tally.example.com/webhooks/installments",
		Logger:          slog.New(slog.DiscardHandler),
	}
	for _, f := range tweak {
		f(&cfg)
	}
	gw, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return gw, emu
}

var seq atomic.Int64

// cardRequest is a BRL card payment in 7 installments paid with token.
func cardRequest(token string) domain.PaymentRequest {
	n := seq.Add(1)
	return domain.PaymentRequest{
		OrderID:         fmt.Sprintf("order-%d", n),
		OrderNumber:     fmt.Sprintf("ORD-2026-%06d", n),
		Customer:        domain.Customer{OrgID: "org-1", Name: "Loja Exemplo", Email: "billing@loja.example.com.br", Country: "BR"},
		Amount:          domain.Money{AmountMinor: 1234567, Currency: domain.BRL},
		Installments:    7,
		Method:          domain.MethodCard,
		PaymentMethodID: "visa:" + token,
		Description:     "Pro pack x1",
		IdempotencyKey:  fmt.Sprintf("idem-%d", n),
	}
}

func TestContract(t *testing.T) {
	gw, emu := newTestGateway(t)
	tokens := map[gatewaytest.Outcome]string{
		gatewaytest.Succeed:       mercadopagoemu.TokenApprove,
		gatewaytest.Decline:       mercadopagoemu.TokenInsufficientAmount,
		gatewaytest.RequireAction: mercadopagoemu.TokenChallenge,
	}
	gatewaytest.Run(t, gatewaytest.Harness{
		Gateway: gw,
		Request: func(t *testing.T, o gatewaytest.Outcome) domain.PaymentRequest {
			return cardRequest(tokens[o])
		},
		Complete: func(t *testing.T, p domain.Payment) {
			resp, err := emu.Client().Get(p.NextAction.URL)
			if err != nil {
				t.Fatalf("challenge page: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("challenge page answered %s", resp.Status)
			}
		},
		Webhook: func(t *testing.T, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest {
			var err error
			switch kind {
			case domain.EventPaymentSucceeded:
				err = emu.SetRefunded(p.ID, 0)
			case domain.EventPaymentFailed:
				err = emu.SetStatus(p.ID, "rejected", "cc_rejected_other_reason")
			case domain.EventPaymentRefunded:
				err = emu.SetRefunded(p.ID, refunded)
			default:
				t.Fatalf("harness cannot make %s", kind)
			}
			if err != nil {
				t.Fatal(err)
			}
			h, body := emu.SignedNotification(p.ID)
			return domain.WebhookRequest{Header: h, Body: body}
		},
		Forge: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			h, body := emu.SignedNotification(p.ID)
			h.Set("X-Signature", mercadopagoemu.Sign("not-the-secret", p.ID, h.Get("X-Request-Id"), time.Now().Unix()))
			return domain.WebhookRequest{Header: h, Body: body}
		},
		Stale: func(t *testing.T, p domain.Payment) domain.WebhookRequest {
			h, body := emu.SignedNotificationAt(p.ID, time.Now().Add(-time.Hour))
			return domain.WebhookRequest{Header: h, Body: body}
		},
		Outage: func(t *testing.T) func() {
			emu.Outage(true)
			return func() { emu.Outage(false) }
		},
	})
}

func TestVaultContract(t *testing.T) {
	gw, emu := newTestGateway(t)
	tokens := map[gatewaytest.Outcome]string{
		gatewaytest.Succeed:       mercadopagoemu.TokenApprove,
		gatewaytest.Decline:       mercadopagoemu.TokenInsufficientAmount,
		gatewaytest.RequireAction: mercadopagoemu.TokenApprove,
	}
	var saves atomic.Int64
	gatewaytest.RunVault(t, gatewaytest.VaultHarness{
		Gateway: gw,
		Save: func(t *testing.T, o gatewaytest.Outcome) domain.SaveMethodRequest {
			n := saves.Add(1)
			return saveCard(tokens[o], fmt.Sprintf("org%d@loja.example.com.br", n), fmt.Sprintf("vault-contract-%d", n))
		},
		Script: func(t *testing.T, o gatewaytest.Outcome, _ domain.SavedMethod) {
			if o == gatewaytest.RequireAction { // an account without Automatic Payments
				emu.RequireSecurityCode(true)
				t.Cleanup(func() { emu.RequireSecurityCode(false) })
			}
		},
		Request: func(t *testing.T) domain.PaymentRequest {
			req := cardRequest("")
			req.PaymentMethodID, req.Installments = "", 3
			return req
		},
		AuthRequired: true,
	})
}
