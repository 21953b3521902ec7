package scripted_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// TestContract: the double passes the contract suite every real gateway
// passes, so a test that uses it meets a gateway that behaves like one.
func TestContract(t *testing.T) {
	gw := scripted.Card("scripted", domain.EUR)
	methods := map[gatewaytest.Outcome]string{
		gatewaytest.Succeed: "succeed", gatewaytest.Decline: "decline", gatewaytest.RequireAction: "action",
	}
	gw.Decide(scripted.ByPaymentMethod(map[string]scripted.Outcome{
		"succeed": scripted.Succeed, "decline": scripted.Decline, "action": scripted.Redirect,
	}, scripted.Unavailable))
	var n atomic.Int64
	gatewaytest.Run(t, gatewaytest.Harness{
		Gateway: gw,
		Request: func(_ *testing.T, o gatewaytest.Outcome) domain.PaymentRequest {
			k := n.Add(1)
			return domain.PaymentRequest{
				OrderID: fmt.Sprint("order-", k), OrderNumber: fmt.Sprint("T-", k),
				Amount:          domain.Money{AmountMinor: 2975, Currency: domain.EUR},
				PaymentMethodID: methods[o], IdempotencyKey: fmt.Sprint("key-", k),
			}
		},
		Complete: func(_ *testing.T, p domain.Payment) { gw.Settle(p.ID, domain.PaymentSucceeded) },
		Webhook: func(_ *testing.T, kind domain.WebhookEventKind, p domain.Payment, refunded int64) domain.WebhookRequest {
			req := scripted.Webhook("evt_"+p.ID+"_"+string(kind), kind, p.ID, refunded)
			if kind == domain.EventPaymentSucceeded {
				req = scripted.WithAmount(req, p.Amount)
			}
			return req
		},
		Forge: func(_ *testing.T, p domain.Payment) domain.WebhookRequest {
			req := scripted.Webhook("evt_forged", domain.EventPaymentSucceeded, p.ID, 0)
			req.Header = http.Header{"X-Scripted-Signature": {"forged"}}
			return req
		},
		Outage: func(*testing.T) func() {
			gw.Outage(true)
			return func() { gw.Outage(false) }
		},
	})
}

// TestScript: what each outcome answers, and what the double counts.
func TestScript(t *testing.T) {
	ctx := t.Context()
	req := func(key string) domain.PaymentRequest {
		return domain.PaymentRequest{Amount: domain.Money{AmountMinor: 100, Currency: domain.EUR}, IdempotencyKey: key, ReturnURL: "https://app.example/" + key}
	}
	tests := []struct {
		outcome scripted.Outcome
		status  domain.PaymentStatus
		action  domain.NextActionKind
		code    domain.Code
	}{
		{scripted.Succeed, domain.PaymentSucceeded, "", ""},
		{scripted.Decline, domain.PaymentFailed, "", domain.CodePaymentFailed},
		{scripted.Redirect, domain.PaymentRequiresAction, domain.NextActionRedirect, ""},
		{scripted.Pending, domain.PaymentPending, domain.NextActionRedirect, ""},
		{scripted.Processing, domain.PaymentProcessing, "", ""},
		{scripted.ClientSecret, domain.PaymentRequiresAction, domain.NextActionConfirmClientSecret, ""},
		{scripted.RefuseInput, "", "", domain.CodeInvalidInput},
		{scripted.Unavailable, "", "", domain.CodeGatewayUnavailable},
	}
	for i, tc := range tests {
		gw := scripted.Card("s", domain.EUR)
		gw.Next(tc.outcome)
		p, err := gw.CreatePayment(ctx, req(fmt.Sprint("k", i)))
		if p.Status != tc.status || domain.ErrorCode(err) != tc.code {
			t.Errorf("outcome %d: %s, %v; want %s, %s", tc.outcome, p.Status, err, tc.status, tc.code)
		}
		if got := p.NextAction; (tc.action == "") != (got == nil) || got != nil && got.Kind != tc.action {
			t.Errorf("outcome %d: next action %+v, want %q", tc.outcome, got, tc.action)
		}
	}

	gw := scripted.Card("s", domain.EUR)
	if _, err := gw.CreatePayment(ctx, req("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreatePayment(ctx, req("a")); err != nil {
		t.Fatal(err)
	}
	if n, reqs := gw.Creates(), gw.Requests(); n != 1 || len(reqs) != 2 || reqs[1].ReturnURL != "https://app.example/a" {
		t.Fatalf("a replayed key: %d payments, requests %+v; want 1 payment and both requests", n, reqs)
	}
}
