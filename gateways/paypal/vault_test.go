package paypal

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/paypalemu"
)

// saveRequest is a save of an org's PayPal wallet with key.
func saveRequest(key string) domain.SaveMethodRequest {
	return domain.SaveMethodRequest{
		Customer:       domain.Customer{OrgID: "org-1", Name: "Acme", Email: "billing@acme.example", Country: "DE"},
		ReturnURL:      "https://spa.example/settings/payment-methods?from=paypal",
		IdempotencyKey: key,
	}
}

// savedWallet saves a wallet and plays the buyer approving it.
func savedWallet(t *testing.T, emu *paypalemu.Emulator, gw *Gateway, key string) domain.SavedMethod {
	t.Helper()
	m, err := gw.SaveMethod(t.Context(), saveRequest(key))
	must(t, err)
	must(t, emu.ApproveSetupToken(m.SetupRef))
	m, err = gw.CompleteSave(t.Context(), m)
	must(t, err)
	if !m.Ready || m.Ref == "" {
		t.Fatalf("approved wallet %+v", m)
	}
	return m
}

func TestSaveAndComplete(t *testing.T) {
	emu, gw := newEmu(t, nil)
	ctx := t.Context()
	m, err := gw.SaveMethod(ctx, saveRequest("save-1"))
	must(t, err)
	if m.Ready || m.Ref != "" || m.SetupRef == "" || m.Kind != domain.MethodPayPal || m.Brand != "paypal" || m.CustomerRef == "" ||
		m.NextAction == nil || m.NextAction.Kind != domain.NextActionRedirect || !strings.Contains(m.NextAction.URL, "approval_session_id="+m.SetupRef) {
		t.Fatalf("saved %+v (next %+v)", m, m.NextAction)
	}
	st, _ := emu.SetupToken(m.SetupRef)
	if st.RequestID != "save-1" || st.MerchantCustomerID != "org-1" || st.ReturnURL != saveRequest("").ReturnURL || st.Status != paypalemu.SetupPayerActionRequired {
		t.Fatalf("PayPal got %+v", st)
	}
	again, err := gw.SaveMethod(ctx, saveRequest("save-1"))
	if err != nil || again.SetupRef != m.SetupRef {
		t.Fatalf("retried save made %+v, %v", again, err)
	}

	// Before the buyer approves, the save keeps waiting.
	waiting, err := gw.CompleteSave(ctx, m)
	if err != nil || waiting.Ready || waiting.SetupRef != m.SetupRef || waiting.NextAction == nil {
		t.Fatalf("complete before approval = %+v, %v", waiting, err)
	}

	// The buyer follows the approve link and comes back to the SPA.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(m.NextAction.URL)
	must(t, err)
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Host != "spa.example" || loc.Query().Get("approval_token_id") != m.SetupRef || loc.Query().Get("from") != "paypal" {
		t.Fatalf("approve page answered %d, Location %v", resp.StatusCode, loc)
	}

	done, err := gw.CompleteSave(ctx, m)
	must(t, err)
	if !done.Ready || done.Ref == "" || done.CustomerRef != m.CustomerRef || done.Kind != domain.MethodPayPal || done.Brand != "paypal" || done.NextAction != nil {
		t.Fatalf("completed %+v", done)
	}
	pt, ok := emu.PaymentToken(done.Ref)
	if !ok || pt.SetupToken != m.SetupRef || pt.RequestID != "vault-"+m.SetupRef {
		t.Fatalf("payment token %+v", pt)
	}
	// A retried completion (the first answer lost) gets the same token.
	retried, err := gw.CompleteSave(ctx, m)
	if err != nil || retried.Ref != done.Ref {
		t.Fatalf("retried completion %+v, %v", retried, err)
	}
	if n := emu.Calls("POST", "/v3/vault/payment-tokens"); n != 3 {
		t.Fatalf("%d payment token calls, want 3", n)
	}

	// A later save for the same org names its PayPal customer.
	req := saveRequest("save-2")
	req.CustomerRef = done.CustomerRef
	second, err := gw.SaveMethod(ctx, req)
	must(t, err)
	if st, _ := emu.SetupToken(second.SetupRef); st.CustomerID != done.CustomerRef {
		t.Fatalf("second setup token for customer %s, want %s", st.CustomerID, done.CustomerRef)
	}
}

func TestSaveWithApprovedToken(t *testing.T) {
	emu, gw := newEmu(t, nil)
	pending, err := gw.SaveMethod(t.Context(), saveRequest("js-sdk"))
	must(t, err)
	must(t, emu.ApproveSetupToken(pending.SetupRef))
	req := saveRequest("save-token")
	req.Token = pending.SetupRef
	m, err := gw.SaveMethod(t.Context(), req)
	if err != nil || !m.Ready || m.Ref == "" {
		t.Fatalf("save of an approved setup token = %+v, %v", m, err)
	}
	// A token the buyer has not approved yet waits, with its approve link.
	other, err := gw.SaveMethod(t.Context(), saveRequest("js-sdk-2"))
	must(t, err)
	req.Token, req.IdempotencyKey = other.SetupRef, "save-token-2"
	waiting, err := gw.SaveMethod(t.Context(), req)
	if err != nil || waiting.Ready || waiting.NextAction == nil || waiting.NextAction.URL != other.NextAction.URL || waiting.CustomerRef != other.CustomerRef {
		t.Fatalf("save of a setup token not approved = %+v, %v", waiting, err)
	}
	req.Token = "../v1/x"
	if _, err := gw.SaveMethod(t.Context(), req); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("malformed token: %v", err)
	}
}

func TestCompleteSaveErrors(t *testing.T) {
	_, gw := newEmu(t, nil)
	for _, ref := range []string{"NOSUCHTOKEN", "../x", ""} {
		if _, err := gw.CompleteSave(t.Context(), domain.SavedMethod{SetupRef: ref, Kind: domain.MethodPayPal}); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("complete %q = %v", ref, err)
		}
	}
}

func TestChargeSavedOffSession(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	cases := []struct {
		name    string
		outcome paypalemu.CaptureOutcome
		status  domain.PaymentStatus
		reason  string
		order   bool // an order is left at PayPal
	}{
		{"completed", paypalemu.CaptureCompleted, domain.PaymentSucceeded, "", true},
		{"pending capture", paypalemu.CapturePending, domain.PaymentProcessing, "", true},
		{"capture declined", paypalemu.CaptureDeclined, domain.PaymentFailed, "DECLINED", true},
		{"instrument declined", paypalemu.CaptureInstrumentDeclined, domain.PaymentFailed, "INSTRUMENT_DECLINED", false},
		{"buyer needed", paypalemu.VaultPayerActionRequired, domain.PaymentFailed, domain.FailureAuthRequired, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := savedWallet(t, emu, gw, "save-"+c.name)
			must(t, emu.SetVaultOutcome(m.Ref, c.outcome))
			req := reqs.next(gatewaytest.Succeed, domain.EUR)
			req.Saved = &m
			before := emu.Calls("POST", "/v2/checkout/orders")
			p, err := gw.CreatePayment(t.Context(), req)
			if p.Status != c.status || p.FailureReason != c.reason || p.NextAction != nil || p.Method != domain.MethodPayPal {
				t.Fatalf("charge = %+v, %v", p, err)
			}
			if (c.status == domain.PaymentFailed) != (domain.ErrorCode(err) == domain.CodePaymentFailed) || (c.status != domain.PaymentFailed && err != nil) {
				t.Fatalf("charge error %v for %s", err, c.status)
			}
			if emu.Calls("POST", "/v2/checkout/orders/{id}/capture") != 0 {
				t.Fatal("a vaulted order was captured separately")
			}
			if !c.order {
				if p.ID != "" {
					t.Fatalf("refused charge has payment id %s", p.ID)
				}
				return
			}
			st, _ := emu.Order(p.ID)
			if st.VaultID != m.Ref || st.RequestID != req.IdempotencyKey || st.CustomID != req.OrderID || st.Value != "10.00" || p.Amount != req.Amount {
				t.Fatalf("order at PayPal %+v for payment %+v", st, p)
			}
			// A retry with the same key replays the order instead of
			// charging again.
			again, _ := gw.CreatePayment(t.Context(), req)
			if again.ID != p.ID || again.Status != p.Status || emu.Calls("POST", "/v2/checkout/orders")-before != 2 || len(st.Captures) != 1 {
				t.Fatalf("retried charge %+v", again)
			}
			if got, err := gw.GetPayment(t.Context(), p.ID); err != nil || got.Status != c.status {
				t.Fatalf("GetPayment = %+v, %v", got, err)
			}
		})
	}
}

func TestChargeSavedValidation(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	cases := map[string]domain.SavedMethod{
		"pending":    {SetupRef: "ABC", Kind: domain.MethodPayPal},
		"card":       {Ref: "abc", Kind: domain.MethodCard, Ready: true},
		"bad ref":    {Ref: "../x", Kind: domain.MethodPayPal, Ready: true},
		"empty ref":  {Kind: domain.MethodPayPal, Ready: true},
		"with pm id": {Ref: "abc", Kind: domain.MethodPayPal, Ready: true},
	}
	for name, m := range cases {
		req := reqs.next(gatewaytest.Succeed, domain.EUR)
		req.Saved = &m
		if name == "with pm id" {
			req.PaymentMethodID = "x"
		}
		if err := gw.CheckPayment(req); domain.ErrorCode(err) != domain.CodeInvalidInput {
			t.Errorf("%s: CheckPayment = %v", name, err)
		}
		if _, err := gw.CreatePayment(t.Context(), req); domain.ErrorCode(err) != domain.CodeInvalidInput {
			t.Errorf("%s: CreatePayment = %v", name, err)
		}
	}
	if n := emu.Calls("POST", "/v2/checkout/orders"); n != 0 {
		t.Fatalf("%d orders for invalid saved charges", n)
	}
}

func TestRemoveMethod(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	m := savedWallet(t, emu, gw, "save-remove")
	cases := []struct {
		name string
		m    domain.SavedMethod
	}{
		{"saved", m},
		{"already removed", m},
		{"still pending", domain.SavedMethod{SetupRef: "ABC", Kind: domain.MethodPayPal}},
		{"unknown", domain.SavedMethod{Ref: "nosuch", Kind: domain.MethodPayPal, Ready: true}},
	}
	for _, c := range cases {
		if err := gw.RemoveMethod(t.Context(), c.m); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if pt, _ := emu.PaymentToken(m.Ref); !pt.Deleted {
		t.Fatalf("payment token %+v not deleted", pt)
	}
	if n := emu.Calls("DELETE", "/v3/vault/payment-tokens/{id}"); n != 3 {
		t.Fatalf("%d deletes, want 3", n)
	}
	// The removed wallet can no longer be charged.
	req := reqs.next(gatewaytest.Succeed, domain.EUR)
	req.Saved = &m
	p, err := gw.CreatePayment(t.Context(), req)
	if domain.ErrorCode(err) != domain.CodePaymentFailed || p.Status != domain.PaymentFailed || p.FailureReason != "INVALID_RESOURCE_ID" {
		t.Fatalf("charge of a removed wallet = %+v, %v", p, err)
	}
	emu.Outage(true)
	defer emu.Outage(false)
	if err := gw.RemoveMethod(t.Context(), savedWalletRef("other")); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("remove during an outage = %v", err)
	}
}

// savedWalletRef is a ready wallet with payment token ref.
func savedWalletRef(ref string) domain.SavedMethod {
	return domain.SavedMethod{Ref: ref, Kind: domain.MethodPayPal, Brand: "paypal", Ready: true}
}
