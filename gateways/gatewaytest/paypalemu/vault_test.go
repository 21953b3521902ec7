package paypalemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestVaultLifecycle(t *testing.T) {
	e, a := newAPI(t)
	setup := map[string]any{"payment_source": map[string]any{"paypal": map[string]any{
		"usage_type": "MERCHANT", "usage_pattern": "IMMEDIATE",
		"experience_context": map[string]string{"return_url": "https://tally.example/return", "cancel_url": "https://tally.example/cancel"},
	}}}
	status, body := a.do("POST", "/v3/vault/setup-tokens", http.Header{"Paypal-Request-Id": {"st-1"}}, setup, nil)
	var st setupTokenJSON
	if err := json.Unmarshal(body, &st); status != http.StatusCreated || err != nil || st.Status != SetupPayerActionRequired || st.Customer.ID == "" {
		t.Fatalf("setup token: %d %s", status, body)
	}
	if _, again := a.do("POST", "/v3/vault/setup-tokens", http.Header{"Paypal-Request-Id": {"st-1"}}, setup, nil); string(again) != string(body) {
		t.Fatalf("replayed setup token %s", again)
	}
	exchange := map[string]any{"payment_source": map[string]any{"token": map[string]string{"id": st.ID, "type": "SETUP_TOKEN"}}}
	steps := []struct {
		name   string
		do     func() (int, []byte)
		status int
		issue  string
	}{
		{"setup token without a source", func() (int, []byte) { return a.do("POST", "/v3/vault/setup-tokens", nil, map[string]any{}, nil) }, 400, "MISSING_REQUIRED_PARAMETER"},
		{"exchange before approval", func() (int, []byte) { return a.do("POST", "/v3/vault/payment-tokens", nil, exchange, nil) }, 422, "PAYER_ACTION_REQUIRED"},
		{"buyer cancels", func() (int, []byte) {
			return a.do("GET", "/agreements/approve?cancel=1&approval_session_id="+st.ID, nil, nil, nil)
		}, 302, ""},
		{"still not approved", func() (int, []byte) { return a.do("POST", "/v3/vault/payment-tokens", nil, exchange, nil) }, 422, "PAYER_ACTION_REQUIRED"},
		{"buyer approves", func() (int, []byte) {
			return a.do("GET", "/agreements/approve?approval_session_id="+st.ID, nil, nil, nil)
		}, 302, ""},
		{"exchange", func() (int, []byte) {
			return a.do("POST", "/v3/vault/payment-tokens", http.Header{"Paypal-Request-Id": {"pt-1"}}, exchange, nil)
		}, 201, ""},
		{"replayed exchange", func() (int, []byte) {
			return a.do("POST", "/v3/vault/payment-tokens", http.Header{"Paypal-Request-Id": {"pt-1"}}, exchange, nil)
		}, 201, ""},
		{"exchange again", func() (int, []byte) { return a.do("POST", "/v3/vault/payment-tokens", nil, exchange, nil) }, 422, "SETUP_TOKEN_ALREADY_TOKENIZED"},
		{"unknown setup token", func() (int, []byte) {
			return a.do("POST", "/v3/vault/payment-tokens", nil, map[string]any{"payment_source": map[string]any{"token": map[string]string{"id": "NOPE", "type": "SETUP_TOKEN"}}}, nil)
		}, 404, "INVALID_RESOURCE_ID"},
	}
	for _, s := range steps {
		status, body := s.do()
		if status != s.status {
			t.Fatalf("%s: %d %s", s.name, status, body)
		}
		if s.issue != "" {
			if _, issue := issueOf(t, body); issue != s.issue {
				t.Fatalf("%s: issue %s", s.name, issue)
			}
		}
	}
	info, _ := e.SetupToken(st.ID)
	pt, ok := e.PaymentToken(info.PaymentToken)
	if info.Status != SetupVaulted || !ok || pt.CustomerID != st.Customer.ID || pt.RequestID != "pt-1" {
		t.Fatalf("setup token %+v, payment token %+v", info, pt)
	}

	charge := func(key string) (int, []byte) {
		h := http.Header{"Paypal-Request-Id": {key}, "Prefer": {"return=representation"}}
		return a.do("POST", "/v2/checkout/orders", h, map[string]any{
			"intent":         "CAPTURE",
			"purchase_units": []map[string]any{{"amount": map[string]string{"currency_code": "EUR", "value": "7.00"}, "custom_id": "ord-9"}},
			"payment_source": map[string]any{"paypal": map[string]string{"vault_id": pt.ID}},
		}, nil)
	}
	status, body = charge("c-1")
	var o orderJSON
	if err := json.Unmarshal(body, &o); status != 201 || err != nil || o.Status != StatusCompleted || o.PurchaseUnits[0].Payments.Captures[0].Status != CaptureStatusCompleted ||
		!strings.Contains(string(body), `"vault":{"customer":{"id":"`+pt.CustomerID+`"},"id":"`+pt.ID+`"`) {
		t.Fatalf("vaulted order: %d %s", status, body)
	}
	if st, _ := e.Order(o.ID); st.VaultID != pt.ID || st.RequestID != "c-1" {
		t.Fatalf("order state %+v", st)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.SetVaultOutcome(pt.ID, CaptureInstrumentDeclined))
	if status, body := charge("c-2"); status != 422 || !strings.Contains(string(body), "INSTRUMENT_DECLINED") {
		t.Fatalf("declined vaulted order: %d %s", status, body)
	}
	if status, _ := a.do("DELETE", "/v3/vault/payment-tokens/"+pt.ID, nil, nil, nil); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	for _, c := range []struct {
		method, path string
	}{{"DELETE", "/v3/vault/payment-tokens/" + pt.ID}, {"GET", "/v3/vault/payment-tokens/" + pt.ID}} {
		if status, _ := a.do(c.method, c.path, nil, nil, nil); status != http.StatusNotFound {
			t.Fatalf("%s after delete: %d", c.method, status)
		}
	}
	if status, _ := charge("c-3"); status != http.StatusNotFound {
		t.Fatalf("charge of a deleted token: %d", status)
	}
	var types []string
	for _, ev := range e.Events() {
		types = append(types, ev.EventType)
	}
	if want := "VAULT.PAYMENT-TOKEN.CREATED PAYMENT.CAPTURE.COMPLETED VAULT.PAYMENT-TOKEN.DELETED"; strings.Join(types, " ") != want {
		t.Fatalf("events %v, want %s", types, want)
	}
}
