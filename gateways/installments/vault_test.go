package installments

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

// saveCard is a save of token for the org with email.
func saveCard(token, email, key string) domain.SaveMethodRequest {
	return domain.SaveMethodRequest{
		Customer:       domain.Customer{OrgID: "org-1", Name: "Loja Exemplo", Email: email, Country: "BR"},
		Token:          token,
		IdempotencyKey: key,
	}
}

// offSession is a charge of m without the buyer in n installments.
func offSession(m domain.SavedMethod, n int) domain.PaymentRequest {
	req := cardRequest("")
	req.PaymentMethodID, req.Saved, req.Installments = "", &m, n
	return req
}

func TestSaveCard(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := t.Context()
	m, err := gw.SaveMethod(ctx, saveCard(mercadopagoemu.TokenApprove, "billing@loja.example.com.br", "save-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Ready || m.Ref == "" || m.CustomerRef == "" || m.Kind != domain.MethodCard || m.Brand != "visa" ||
		m.Last4 != "5682" || m.ExpMonth != 11 || m.ExpYear != 2030 || m.NextAction != nil || m.SetupRef != "" {
		t.Fatalf("saved %+v", m)
	}
	card, _ := emu.Card(m.Ref)
	cust, _ := emu.Customer(m.CustomerRef)
	if card.CustomerID != m.CustomerRef || card.IdempotencyKey != "save-1" || cust.Email != "billing@loja.example.com.br" {
		t.Fatalf("Mercado Pago has card %+v of customer %+v", card, cust)
	}
	again, err := gw.SaveMethod(ctx, saveCard(mercadopagoemu.TokenApprove, "billing@loja.example.com.br", "save-1"))
	if err != nil || again.Ref != m.Ref {
		t.Fatalf("retried save %+v, %v", again, err)
	}

	cases := []struct {
		name       string
		req        domain.SaveMethodRequest
		customerOf string // "" a new customer; else the customer of this save
		code       domain.Code
	}{
		{"same email, no ref", saveCard(mercadopagoemu.TokenInsufficientAmount, "BILLING@loja.example.com.br", "save-2"), m.CustomerRef, ""},
		{"brand and issuer", saveCard("master:"+mercadopagoemu.TokenRejected+":24", "other@loja.example.com.br", "save-3"), "", ""},
		{"no token", saveCard("", "billing@loja.example.com.br", "save-4"), "", domain.CodeInvalidInput},
		{"unknown token", saveCard("nope", "billing@loja.example.com.br", "save-5"), "", domain.CodeInvalidInput},
		{"malformed token", saveCard("visa:", "billing@loja.example.com.br", "save-6"), "", domain.CodeInvalidInput},
		{"no email", saveCard(mercadopagoemu.TokenApprove, "", "save-7"), "", domain.CodeInvalidInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := gw.SaveMethod(ctx, c.req)
			if c.code != "" {
				if domain.ErrorCode(err) != c.code {
					t.Fatalf("save = %+v, %v; want %s", got, err, c.code)
				}
				return
			}
			if err != nil || !got.Ready {
				t.Fatalf("save = %+v, %v", got, err)
			}
			if c.customerOf != "" && got.CustomerRef != c.customerOf {
				t.Fatalf("saved to customer %s, want %s", got.CustomerRef, c.customerOf)
			}
		})
	}
	if n := emu.Customers(); n != 2 {
		t.Fatalf("%d customers, want 2 (one per email)", n)
	}

	// A save naming the org's customer adds to it; a customer gone at
	// Mercado Pago is found or made anew by email.
	req := saveCard(mercadopagoemu.TokenPending, "billing@loja.example.com.br", "save-8")
	req.CustomerRef = m.CustomerRef
	if got, err := gw.SaveMethod(ctx, req); err != nil || got.CustomerRef != m.CustomerRef {
		t.Fatalf("save with the customer ref = %+v, %v", got, err)
	}
	req.CustomerRef, req.IdempotencyKey = "700100000-gone", "save-9"
	if got, err := gw.SaveMethod(ctx, req); err != nil || got.CustomerRef != m.CustomerRef {
		t.Fatalf("save with a stale customer ref = %+v, %v", got, err)
	}

	done, err := gw.CompleteSave(ctx, domain.SavedMethod{Ref: m.Ref, CustomerRef: m.CustomerRef, Kind: domain.MethodCard})
	if err != nil || done != m {
		t.Fatalf("CompleteSave = %+v, %v; want %+v", done, err, m)
	}
	if _, err := gw.CompleteSave(ctx, domain.SavedMethod{Ref: "1", CustomerRef: m.CustomerRef}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("CompleteSave of an unknown card = %v", err)
	}
}

func TestChargeSavedCard(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := t.Context()
	var n int
	save := func(t *testing.T, token string) domain.SavedMethod {
		t.Helper()
		n++
		m, err := gw.SaveMethod(ctx, saveCard(token, fmt.Sprintf("org%d@loja.example.com.br", n), fmt.Sprintf("save-%d", n)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name   string
		token  string
		setup  func(t *testing.T, m domain.SavedMethod)
		status domain.PaymentStatus
		reason string
	}{
		{"approved", mercadopagoemu.TokenApprove, nil, domain.PaymentSucceeded, ""},
		{"in process", mercadopagoemu.TokenPending, nil, domain.PaymentProcessing, ""},
		{"insufficient funds", mercadopagoemu.TokenInsufficientAmount, nil, domain.PaymentFailed, "cc_rejected_insufficient_amount"},
		{"declined later", mercadopagoemu.TokenApprove, func(t *testing.T, m domain.SavedMethod) {
			if err := emu.DeclineCard(m.Ref, "cc_rejected_other_reason"); err != nil {
				t.Fatal(err)
			}
		}, domain.PaymentFailed, "cc_rejected_other_reason"},
		{"3-D Secure card", mercadopagoemu.TokenChallenge, nil, domain.PaymentFailed, "cc_rejected_high_risk"},
		{"challenge asked", mercadopagoemu.TokenApprove, func(t *testing.T, _ domain.SavedMethod) {
			emu.EditNext(mercadopagoemu.RouteCreatePayment, func(o map[string]any) {
				o["status"], o["status_detail"] = "pending", "pending_challenge"
				o["three_ds_info"] = map[string]any{"external_resource_url": emu.URL() + "/emu/3ds/1", "creq": "x"}
			})
		}, domain.PaymentFailed, domain.FailureAuthRequired},
		{"no automatic payments", mercadopagoemu.TokenApprove, func(t *testing.T, _ domain.SavedMethod) {
			emu.RequireSecurityCode(true)
			t.Cleanup(func() { emu.RequireSecurityCode(false) })
		}, domain.PaymentFailed, domain.FailureAuthRequired},
		{"removed card", mercadopagoemu.TokenApprove, func(t *testing.T, m domain.SavedMethod) {
			if err := gw.RemoveMethod(ctx, m); err != nil {
				t.Fatal(err)
			}
		}, domain.PaymentFailed, "card_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := save(t, c.token)
			if c.setup != nil {
				c.setup(t, m)
			}
			req := offSession(m, 6)
			p, err := gw.CreatePayment(ctx, req)
			if p.Status != c.status || p.FailureReason != c.reason || p.NextAction != nil {
				t.Fatalf("charge = %+v, %v", p, err)
			}
			if (c.status == domain.PaymentFailed) != (domain.ErrorCode(err) == domain.CodePaymentFailed) || (c.status != domain.PaymentFailed && err != nil) {
				t.Fatalf("charge error %v for %s", err, c.status)
			}
			if p.ID == "" {
				return
			}
			got, _ := emu.Payment(p.ID)
			if got.PayerType != "customer" || got.PayerID != m.CustomerRef || got.CardID != m.Ref || got.Installments != 6 ||
				got.IdempotencyKey != req.IdempotencyKey || got.ExternalReference != req.OrderID || got.AmountMinor != req.Amount.AmountMinor ||
				got.PaymentMethodID != m.Brand || got.ThreeDSecureMode != "" {
				t.Fatalf("Mercado Pago got %+v for %+v", got, m)
			}
			// A retry with the same key replays the payment.
			again, _ := gw.CreatePayment(ctx, req)
			if again.ID != p.ID {
				t.Fatalf("retried charge made payment %s after %s", again.ID, p.ID)
			}
		})
	}
}

func TestChargeSavedValidation(t *testing.T) {
	gw, emu := newTestGateway(t)
	ready := domain.SavedMethod{Ref: "9100000000001", CustomerRef: "c", Kind: domain.MethodCard, Brand: "visa", Ready: true}
	cases := map[string]func(*domain.PaymentRequest){
		"not ready":    func(r *domain.PaymentRequest) { r.Saved.Ready = false },
		"no customer":  func(r *domain.PaymentRequest) { r.Saved.CustomerRef = "" },
		"no brand":     func(r *domain.PaymentRequest) { r.Saved.Brand = "" },
		"paypal":       func(r *domain.PaymentRequest) { r.Saved.Kind = domain.MethodPayPal },
		"with pm id":   func(r *domain.PaymentRequest) { r.PaymentMethodID = "visa:x" },
		"13 times":     func(r *domain.PaymentRequest) { r.Installments = 13 },
		"not in reais": func(r *domain.PaymentRequest) { r.Amount.Currency = domain.USD },
	}
	for name, edit := range cases {
		req := offSession(ready, 3)
		edit(&req)
		if err := gw.CheckPayment(req); domain.ErrorCode(err) != domain.CodeInvalidInput {
			t.Errorf("%s: CheckPayment = %v", name, err)
		}
		if _, err := gw.CreatePayment(t.Context(), req); domain.ErrorCode(err) != domain.CodeInvalidInput {
			t.Errorf("%s: CreatePayment = %v", name, err)
		}
	}
	if ids := emu.PaymentIDs(); len(ids) != 0 {
		t.Fatalf("payments %v made for invalid charges", ids)
	}
}

func TestRemoveCard(t *testing.T) {
	gw, emu := newTestGateway(t)
	m, err := gw.SaveMethod(t.Context(), saveCard(mercadopagoemu.TokenApprove, "billing@loja.example.com.br", "save-1"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		m    domain.SavedMethod
	}{
		{"saved", m},
		{"already removed", m},
		{"unknown customer", domain.SavedMethod{Ref: m.Ref, CustomerRef: "nobody", Kind: domain.MethodCard}},
		{"never saved", domain.SavedMethod{Kind: domain.MethodCard}},
	}
	for _, c := range cases {
		if err := gw.RemoveMethod(t.Context(), c.m); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if card, _ := emu.Card(m.Ref); !card.Deleted {
		t.Fatalf("card %+v not deleted", card)
	}
	if _, err := gw.CompleteSave(t.Context(), m); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("CompleteSave of a removed card = %v", err)
	}
	emu.Outage(true)
	defer emu.Outage(false)
	if err := gw.RemoveMethod(t.Context(), m); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("remove during an outage = %v", err)
	}
}

func TestSavedCardTokenAnswers(t *testing.T) {
	gw, emu := newTestGateway(t)
	m, err := gw.SaveMethod(t.Context(), saveCard(mercadopagoemu.TokenApprove, "billing@loja.example.com.br", "save-1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"{}", "null", "{"} {
		emu.GarbleNext(mercadopagoemu.RouteCreateCardToken, body)
		req := offSession(m, 1)
		if _, err := gw.CreatePayment(t.Context(), req); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
			t.Errorf("card token answer %s: %v", body, err)
		}
	}
	var tok map[string]any
	status, raw := 0, []byte(nil)
	emu.Tamper(mercadopagoemu.RouteCreateCardToken, func(a *mercadopagoemu.Answer) { status, raw = a.Status, a.Body })
	if _, err := gw.CreatePayment(t.Context(), offSession(m, 1)); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &tok); status != 201 || err != nil || tok["card_id"] != m.Ref || tok["status"] != "active" {
		t.Fatalf("card token answer %d %s", status, raw)
	}
}
