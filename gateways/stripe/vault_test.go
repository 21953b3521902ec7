package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
)

// saveRequest saves pm for org_1 under key.
func saveRequest(pm, key string) domain.SaveMethodRequest {
	return domain.SaveMethodRequest{
		Customer: domain.Customer{OrgID: "org_1", Name: "Acme", Email: "billing@acme.test", Country: "DE"},
		Token:    pm, IdempotencyKey: key,
	}
}

// chargeSaved is an off-session charge of m.
func chargeSaved(m domain.SavedMethod) domain.PaymentRequest {
	req := paymentRequest("")
	req.Saved = &m
	return req
}

func TestSaveMethod(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		pm         string
		saveCode   domain.Code
		saveField  string
		saveReason string
		// threeDS: the setup waits for 3-D Secure, then passes it.
		threeDS    bool
		wantBrand  string
		chargeCode domain.Code
		reason     string
	}{
		{name: "saved at once, charged off session", pm: "pm_card_visa", wantBrand: "visa"},
		{name: "card details from the payment method", pm: "pm_card_mastercard", wantBrand: "mastercard"},
		{name: "3-D Secure on setup, then off session without it", pm: "pm_card_threeDSecure2Required", threeDS: true, wantBrand: "visa"},
		{name: "always authenticates: off session is authentication_required", pm: "pm_card_authenticationRequired", threeDS: true,
			wantBrand: "visa", chargeCode: domain.CodePaymentFailed, reason: domain.FailureAuthRequired},
		{name: "saves, then declined when charged", pm: "pm_card_chargeCustomerFail", wantBrand: "visa",
			chargeCode: domain.CodePaymentFailed, reason: "generic_decline"},
		{name: "declined while saving", pm: "pm_card_chargeDeclined", saveCode: domain.CodePaymentFailed, saveReason: "generic_decline"},
		{name: "unknown payment method", pm: "tok_nope", saveCode: domain.CodeInvalidInput, saveField: "token"},
		{name: "no token", pm: "", saveCode: domain.CodeInvalidInput, saveField: "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, f := newTestGateway(t)
			m, err := g.SaveMethod(ctx, saveRequest(tt.pm, "save-1"))
			var de *domain.Error
			if domain.ErrorCode(err) != tt.saveCode || (err != nil && (!errors.As(err, &de) || de.Field != tt.saveField)) {
				t.Fatalf("SaveMethod = %+v, %v; want %q on %q", m, err, tt.saveCode, tt.saveField)
			}
			if tt.saveReason != "" && !strings.Contains(err.Error(), tt.saveReason) {
				t.Fatalf("decline %v does not name %s", err, tt.saveReason)
			}
			if err != nil {
				return
			}
			reqs := f.Requests()
			setup := reqs[len(reqs)-1]
			for k, v := range map[string]string{"customer": m.CustomerRef, "payment_method": tt.pm, "confirm": "true",
				"usage": "off_session", "metadata[tally_org_id]": "org_1"} {
				if got := setup.Form.Get(k); got != v {
					t.Errorf("setup sent %s=%q, want %q", k, got, v)
				}
			}
			if setup.Path != "/v1/setup_intents" || !strings.HasPrefix(setup.IdempotencyKey, "save-1") || !strings.HasPrefix(m.CustomerRef, "cus_") {
				t.Fatalf("setup request %s key %q, customer %q", setup.Path, setup.IdempotencyKey, m.CustomerRef)
			}
			if m.Ref != tt.pm || m.Kind != domain.MethodCard || m.Brand != tt.wantBrand || m.ExpYear != 2034 || len(m.Last4) != 4 {
				t.Fatalf("saved %+v", m)
			}
			if tt.threeDS {
				if m.Ready || !strings.HasPrefix(m.SetupRef, "seti_") || m.NextAction == nil ||
					m.NextAction.Kind != domain.NextActionConfirmClientSecret || m.NextAction.ClientSecret != m.SetupRef+"_secret_fake" {
					t.Fatalf("3-D Secure save = %+v; want waiting with the SetupIntent's client secret", m)
				}
				if still, err := g.CompleteSave(ctx, m); err != nil || still.Ready {
					t.Fatalf("CompleteSave before the buyer = %+v, %v", still, err)
				}
				if err := f.CompleteSetup(m.SetupRef); err != nil {
					t.Fatal(err)
				}
				if m, err = g.CompleteSave(ctx, m); err != nil || !m.Ready || m.SetupRef != "" || m.NextAction != nil || m.Ref != tt.pm {
					t.Fatalf("CompleteSave after 3-D Secure = %+v, %v", m, err)
				}
			} else if !m.Ready || m.SetupRef != "" || m.NextAction != nil {
				t.Fatalf("save = %+v; want ready", m)
			}
			if f.Attached(tt.pm) != m.CustomerRef {
				t.Fatalf("%s attached to %q, want %q", tt.pm, f.Attached(tt.pm), m.CustomerRef)
			}

			req := chargeSaved(m)
			p, err := g.CreatePayment(ctx, req)
			if domain.ErrorCode(err) != tt.chargeCode {
				t.Fatalf("off-session charge = %+v, %v; want %q", p, err, tt.chargeCode)
			}
			reqs = f.Requests()
			create := reqs[len(reqs)-1]
			for k, v := range map[string]string{"customer": m.CustomerRef, "payment_method": m.Ref, "off_session": "true", "confirm": "true"} {
				if got := create.Form.Get(k); got != v {
					t.Errorf("charge sent %s=%q, want %q", k, got, v)
				}
			}
			wantStatus := domain.PaymentSucceeded
			if tt.chargeCode != "" {
				wantStatus = domain.PaymentFailed
			}
			if p.Status != wantStatus || p.FailureReason != tt.reason || !strings.HasPrefix(p.ID, "pi_") || p.NextAction != nil {
				t.Fatalf("off-session payment = %+v; want %s (%q)", p, wantStatus, tt.reason)
			}
			if got, err := g.GetPayment(ctx, p.ID); err != nil || got.Status != wantStatus || got.FailureReason != tt.reason {
				t.Fatalf("GetPayment = %+v, %v; want %s (%q) as CreatePayment said", got, err, wantStatus, tt.reason)
			}
		})
	}
}

func TestSaveMethodCustomerAndReplay(t *testing.T) {
	ctx := context.Background()
	g, f := newTestGateway(t)
	first, err := g.SaveMethod(ctx, saveRequest("pm_card_visa", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.SaveMethod(ctx, saveRequest("pm_card_visa", "k1"))
	if err != nil || again != first {
		t.Fatalf("replay = %+v, %v; want %+v", again, err, first)
	}
	req := saveRequest("pm_card_mastercard", "k2")
	req.CustomerRef = first.CustomerRef
	second, err := g.SaveMethod(ctx, req)
	if err != nil || second.CustomerRef != first.CustomerRef {
		t.Fatalf("second = %+v, %v; want customer %s", second, err, first.CustomerRef)
	}
	customers, _, _ := f.Counts()
	if customers != 1 {
		t.Fatalf("%d customers, want one per org", customers)
	}
	setups := 0
	for _, r := range f.Requests() {
		if r.Path == "/v1/setup_intents" {
			setups++
		}
	}
	if setups != 3 { // the replay went to Stripe with the same key
		t.Fatalf("%d setup requests, want 3", setups)
	}
	t.Run("customer deleted in the Dashboard is replaced", func(t *testing.T) {
		f.DeleteCustomer(first.CustomerRef)
		m, err := g.SaveMethod(ctx, saveRequest("pm_card_visa", "k3"))
		if err != nil || m.CustomerRef == first.CustomerRef || !strings.HasPrefix(m.CustomerRef, "cus_") {
			t.Fatalf("save after the customer vanished = %+v, %v", m, err)
		}
		// The org's earlier methods name the deleted customer: replaced too.
		req := saveRequest("pm_card_mastercard", "k4")
		req.CustomerRef = first.CustomerRef
		again, err := g.SaveMethod(ctx, req)
		if err != nil || again.CustomerRef != m.CustomerRef {
			t.Fatalf("save naming the deleted customer = %+v, %v; want customer %s", again, err, m.CustomerRef)
		}
	})
}

func TestCompleteSaveFailed(t *testing.T) {
	ctx := context.Background()
	g, f := newTestGateway(t)
	m, err := g.SaveMethod(ctx, saveRequest("pm_card_threeDSecure2Required", "k"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.FailSetup(m.SetupRef); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CompleteSave(ctx, m); domain.ErrorCode(err) != domain.CodePaymentFailed ||
		!strings.Contains(err.Error(), "setup_intent_authentication_failure") {
		t.Fatalf("CompleteSave of a failed setup = %v, want PAYMENT_FAILED", err)
	}
	if _, err := g.CompleteSave(ctx, domain.SavedMethod{SetupRef: "seti_nope"}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("unknown setup = %v, want NOT_FOUND", err)
	}
	restore := f.Outage()
	defer restore()
	if _, err := g.CompleteSave(ctx, m); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("outage = %v", err)
	}
}

func TestRemoveMethod(t *testing.T) {
	ctx := context.Background()
	g, f := newTestGateway(t)
	m, err := g.SaveMethod(ctx, saveRequest("pm_card_visa", "k"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    domain.SavedMethod
		code domain.Code
	}{
		{"detach", m, ""},
		{"detach again: not attached any more", m, ""},
		{"unknown to stripe", domain.SavedMethod{Ref: "card_nope"}, ""},
		{"nothing to detach", domain.SavedMethod{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := g.RemoveMethod(ctx, tt.m); domain.ErrorCode(err) != tt.code {
				t.Fatalf("RemoveMethod = %v, want %q", err, tt.code)
			}
		})
	}
	if f.Attached(m.Ref) != "" {
		t.Fatal("still attached")
	}
	if _, err := g.CreatePayment(ctx, chargeSaved(m)); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("charging a detached method = %v, want INVALID_INPUT", err)
	}
	f.Script(http.StatusInternalServerError, `{"error":{"type":"api_error","message":"down"}}`)
	if err := g.RemoveMethod(ctx, domain.SavedMethod{Ref: "pm_x"}); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("RemoveMethod during an outage = %v", err)
	}
}

func TestChargeSavedRefusedBeforeStripe(t *testing.T) {
	ready := domain.SavedMethod{Ref: "pm_card_visa", CustomerRef: "cus_1", Ready: true}
	tests := []struct {
		name string
		mod  func(*domain.PaymentRequest)
	}{
		{"with a payment method id too", func(r *domain.PaymentRequest) { r.PaymentMethodID = "pm_card_visa" }},
		{"not ready", func(r *domain.PaymentRequest) { s := ready; s.Ready = false; r.Saved = &s }},
		{"no customer", func(r *domain.PaymentRequest) { s := ready; s.CustomerRef = ""; r.Saved = &s }},
		{"no ref", func(r *domain.PaymentRequest) { s := ready; s.Ref = ""; r.Saved = &s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, f := newTestGateway(t)
			req := chargeSaved(ready)
			tt.mod(&req)
			if err := g.CheckPayment(req); domain.ErrorCode(err) != domain.CodeInvalidInput {
				t.Fatalf("CheckPayment = %v", err)
			}
			if _, err := g.CreatePayment(context.Background(), req); domain.ErrorCode(err) != domain.CodeInvalidInput {
				t.Fatalf("CreatePayment = %v", err)
			}
			if n := len(f.Requests()); n != 0 {
				t.Fatalf("%d requests reached stripe", n)
			}
		})
	}
}

func TestSaveMethodRedactsSetupSecret(t *testing.T) {
	g, f := newTestGateway(t)
	f.Script(http.StatusPaymentRequired, fmt.Sprintf(`{"error":{"type":"card_error","code":"card_declined","decline_code":"do_not_honor",`+
		`"setup_intent":{"id":"seti_1","object":"setup_intent","status":"requires_payment_method","client_secret":%q}}}`, "seti_1_secret_x"))
	req := saveRequest("pm_card_visa", "k")
	req.CustomerRef = "cus_1" // the scripted answer is the SetupIntent's
	_, err := g.SaveMethod(context.Background(), req)
	if reqs := f.Requests(); len(reqs) != 1 || reqs[0].Path != "/v1/setup_intents" {
		t.Fatalf("requests %+v, want the SetupIntent alone", reqs)
	}
	if domain.ErrorCode(err) != domain.CodePaymentFailed || !strings.Contains(err.Error(), "do_not_honor") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(fmt.Sprintf("%+v %#v", err, errors.Unwrap(err)), "seti_1_secret_x") {
		t.Fatal("the client secret reaches the error")
	}
}
