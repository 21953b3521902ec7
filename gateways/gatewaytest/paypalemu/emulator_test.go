package paypalemu

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// api is a tiny PayPal REST client for the emulator's own tests.
type api struct {
	t     *testing.T
	e     *Emulator
	token string
}

func newAPI(t *testing.T) (*Emulator, *api) {
	t.Helper()
	e := New()
	t.Cleanup(e.Close)
	a := &api{t: t, e: e}
	status, body := a.do("POST", "/v1/oauth2/token", http.Header{}, nil, func(r *http.Request) {
		r.SetBasicAuth(e.ClientID(), e.Secret())
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Body = io.NopCloser(strings.NewReader("grant_type=client_credentials"))
	})
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok tokenJSON
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("token body %s: %v", body, err)
	}
	a.token = tok.AccessToken
	return e, a
}

func (a *api) do(method, path string, h http.Header, body any, edit func(*http.Request)) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.e.URL()+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	req.Header.Set("Content-Type", "application/json")
	if edit != nil {
		edit(req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (a *api) createOrder(value string, h http.Header) orderJSON {
	a.t.Helper()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Prefer", "return=representation")
	status, body := a.do("POST", "/v2/checkout/orders", h, map[string]any{
		"intent": "CAPTURE",
		"purchase_units": []map[string]any{{
			"amount": map[string]string{"currency_code": "EUR", "value": value}, "custom_id": "ord-1", "invoice_id": "ORD-1",
		}},
		"payment_source": map[string]any{"paypal": map[string]any{"experience_context": map[string]string{"return_url": "https://tally.example/return", "cancel_url": "https://tally.example/cancel"}}},
	}, nil)
	if status != http.StatusCreated {
		a.t.Fatalf("create: %d %s", status, body)
	}
	var o orderJSON
	if err := json.Unmarshal(body, &o); err != nil {
		a.t.Fatal(err)
	}
	return o
}

func issueOf(t *testing.T, body []byte) (string, string) {
	t.Helper()
	var e errorJSON
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.DebugID == "" || e.Message == "" {
		t.Fatalf("error body without debug_id or message: %s", body)
	}
	if len(e.Details) == 0 {
		return e.Name, ""
	}
	return e.Name, e.Details[0].Issue
}

func TestTokenRejectsWrongCredentials(t *testing.T) {
	e, a := newAPI(t)
	status, body := a.do("POST", "/v1/oauth2/token", nil, nil, func(r *http.Request) {
		r.Header.Del("Authorization")
		r.SetBasicAuth(e.ClientID(), "wrong")
		r.Body = io.NopCloser(strings.NewReader("grant_type=client_credentials"))
	})
	if status != http.StatusUnauthorized || !strings.Contains(string(body), "invalid_client") {
		t.Fatalf("wrong secret: %d %s", status, body)
	}
	a.token = "not-a-token"
	if status, _ := a.do("GET", "/v2/checkout/orders/X", nil, nil, nil); status != http.StatusUnauthorized {
		t.Fatalf("bad bearer: %d", status)
	}
}

func TestOrderLifecycle(t *testing.T) {
	e, a := newAPI(t)
	o := a.createOrder("5.00", nil)
	if o.Status != StatusPayerActionRequired || len(o.PurchaseUnits) != 1 || o.PurchaseUnits[0].Amount.Value != "5.00" {
		t.Fatalf("created order %+v", o)
	}
	var action string
	for _, l := range o.Links {
		if l.Rel == "payer-action" {
			action = l.Href
		}
	}
	if action == "" {
		t.Fatalf("no payer-action link: %+v", o.Links)
	}

	status, body := a.do("POST", "/v2/checkout/orders/"+o.ID+"/capture", nil, nil, nil)
	if name, issue := issueOf(t, body); status != 422 || name != "UNPROCESSABLE_ENTITY" || issue != "ORDER_NOT_APPROVED" {
		t.Fatalf("capture before approval: %d %s", status, body)
	}

	// The buyer follows the payer-action link.
	status, _ = a.do("GET", strings.TrimPrefix(action, e.URL()), nil, nil, nil)
	if st, _ := e.Order(o.ID); status != http.StatusFound || st.Status != StatusApproved {
		t.Fatalf("checkout page: %d, order %s", status, st.Status)
	}

	h := http.Header{"Paypal-Request-Id": {"cap-1"}, "Prefer": {"return=representation"}}
	status, body = a.do("POST", "/v2/checkout/orders/"+o.ID+"/capture", h, nil, nil)
	if status != http.StatusCreated {
		t.Fatalf("capture: %d %s", status, body)
	}
	status2, body2 := a.do("POST", "/v2/checkout/orders/"+o.ID+"/capture", h, nil, nil)
	if status2 != status || !bytes.Equal(body, body2) {
		t.Fatalf("replayed capture: %d %s", status2, body2)
	}
	if n := e.Calls("POST", "/v2/checkout/orders/{id}/capture"); n != 3 {
		t.Fatalf("capture calls %d, want 3", n)
	}
	st, _ := e.Order(o.ID)
	if st.Status != StatusCompleted || len(st.Captures) != 1 || st.Captures[0].Status != CaptureStatusCompleted {
		t.Fatalf("after capture %+v", st)
	}
	status, body = a.do("POST", "/v2/checkout/orders/"+o.ID+"/capture", nil, nil, nil)
	if _, issue := issueOf(t, body); status != 422 || issue != "ORDER_ALREADY_CAPTURED" {
		t.Fatalf("second capture: %d %s", status, body)
	}

	capID := st.Captures[0].ID
	refund := func(value, key string) (int, []byte) {
		return a.do("POST", "/v2/payments/captures/"+capID+"/refund", http.Header{"Paypal-Request-Id": {key}, "Prefer": {"return=representation"}},
			map[string]any{"amount": map[string]string{"currency_code": "EUR", "value": value}}, nil)
	}
	if status, body := refund("1.25", "r1"); status != http.StatusCreated || !strings.Contains(string(body), `"total_refunded_amount":{"currency_code":"EUR","value":"1.25"}`) {
		t.Fatalf("refund: %d %s", status, body)
	}
	if status, body := refund("3.76", "r2"); status != 422 || !strings.Contains(string(body), "REFUND_AMOUNT_EXCEEDED") {
		t.Fatalf("over-refund: %d %s", status, body)
	}
	if status, body := refund("3.75", "r3"); status != http.StatusCreated || !strings.Contains(string(body), `"value":"5.00"}`) {
		t.Fatalf("rest: %d %s", status, body)
	}
	if status, body := refund("0.01", "r4"); status != 422 || !strings.Contains(string(body), "CAPTURE_FULLY_REFUNDED") {
		t.Fatalf("after full refund: %d %s", status, body)
	}
	_, body = a.do("GET", "/v2/checkout/orders/"+o.ID, nil, nil, nil)
	var got orderJSON
	if err := json.Unmarshal(body, &got); err != nil || len(got.PurchaseUnits[0].Payments.Refunds) != 2 || got.PurchaseUnits[0].Payments.Captures[0].Status != CaptureStatusRefunded {
		t.Fatalf("order after refunds %s (%v)", body, err)
	}
	var types []string
	for _, ev := range e.Events() {
		types = append(types, ev.EventType)
	}
	if want := "CHECKOUT.ORDER.APPROVED PAYMENT.CAPTURE.COMPLETED PAYMENT.CAPTURE.REFUNDED PAYMENT.CAPTURE.REFUNDED"; strings.Join(types, " ") != want {
		t.Fatalf("events %v, want %s", types, want)
	}
}

func TestCaptureOutcomes(t *testing.T) {
	cases := []struct {
		outcome    CaptureOutcome
		status     int
		issue      string
		order      string
		capture    string
		eventTypes string
	}{
		{CaptureInstrumentDeclined, 422, "INSTRUMENT_DECLINED", StatusApproved, "", "CHECKOUT.ORDER.APPROVED"},
		{CaptureDeclined, 201, "", StatusCompleted, CaptureStatusDeclined, "CHECKOUT.ORDER.APPROVED PAYMENT.CAPTURE.DENIED"},
		{CapturePending, 201, "", StatusCompleted, CaptureStatusPending, "CHECKOUT.ORDER.APPROVED PAYMENT.CAPTURE.PENDING"},
	}
	for _, c := range cases {
		e, a := newAPI(t)
		o := a.createOrder("10.00", nil)
		if err := e.Approve(o.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.SetNextCapture(o.ID, c.outcome); err != nil {
			t.Fatal(err)
		}
		status, body := a.do("POST", "/v2/checkout/orders/"+o.ID+"/capture", nil, nil, nil)
		if status != c.status {
			t.Fatalf("%v: capture %d %s", c.outcome, status, body)
		}
		if c.issue != "" {
			if _, issue := issueOf(t, body); issue != c.issue {
				t.Fatalf("%v: issue %s", c.outcome, issue)
			}
		}
		st, _ := e.Order(o.ID)
		if st.Status != c.order || (c.capture != "" && st.Captures[0].Status != c.capture) {
			t.Fatalf("%v: order %+v", c.outcome, st)
		}
		var types []string
		for _, ev := range e.Events() {
			types = append(types, ev.EventType)
		}
		if strings.Join(types, " ") != c.eventTypes {
			t.Fatalf("%v: events %v", c.outcome, types)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	_, a := newAPI(t)
	cases := []struct {
		body   string
		status int
		issue  string
	}{
		{`{`, 400, "MALFORMED_REQUEST_JSON"},
		{`{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"EUR","value":"1.234"}}]}`, 422, "DECIMAL_PRECISION"},
		{`{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"JPY","value":"100"}}]}`, 422, "CURRENCY_NOT_SUPPORTED"},
		{`{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"EUR","value":"abc"}}]}`, 400, "INVALID_PARAMETER_SYNTAX"},
		{`{"intent":"CAPTURE","purchase_units":[]}`, 400, "INVALID_ARRAY_MAX_ITEMS"},
	}
	for _, c := range cases {
		status, body := a.do("POST", "/v2/checkout/orders", nil, nil, func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(c.body)) })
		if _, issue := issueOf(t, body); status != c.status || issue != c.issue {
			t.Errorf("%s: %d %s, want %d %s", c.body, status, body, c.status, c.issue)
		}
	}
	if status, body := a.do("GET", "/v2/checkout/orders/NOPE", nil, nil, nil); status != 404 || !strings.Contains(string(body), "INVALID_RESOURCE_ID") {
		t.Errorf("unknown order: %d %s", status, body)
	}
}

func TestVerifyWebhookSignature(t *testing.T) {
	e, a := newAPI(t)
	verify := func(h http.Header, body []byte, webhookID string) string {
		t.Helper()
		req := map[string]any{
			"auth_algo": h.Get(HeaderAuthAlgo), "cert_url": h.Get(HeaderCertURL), "transmission_id": h.Get(HeaderTransmissionID),
			"transmission_sig": h.Get(HeaderTransmissionSig), "transmission_time": h.Get(HeaderTransmissionTime),
			"webhook_id": webhookID, "webhook_event": json.RawMessage(body),
		}
		status, out := a.do("POST", "/v1/notifications/verify-webhook-signature", nil, req, nil)
		if status != http.StatusOK {
			t.Fatalf("verify: %d %s", status, out)
		}
		var v struct {
			VerificationStatus string `json:"verification_status"`
		}
		_ = json.Unmarshal(out, &v)
		return v.VerificationStatus
	}
	h, body := e.SignedWebhook("PAYMENT.CAPTURE.COMPLETED", map[string]any{"id": "CAP1", "status": "COMPLETED"})
	// Spacing and key order do not matter: the event is re-encoded anyway.
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, body, "", "  ")
	if got := verify(h, pretty.Bytes(), e.WebhookID()); got != "SUCCESS" {
		t.Fatalf("signed delivery: %s", got)
	}
	if got := verify(h, bytes.Replace(body, []byte("CAP1"), []byte("CAP2"), 1), e.WebhookID()); got != "FAILURE" {
		t.Fatalf("tampered body: %s", got)
	}
	if got := verify(h, body, "OTHERWEBHOOK"); got != "FAILURE" {
		t.Fatalf("other webhook id: %s", got)
	}
	again, err := e.Resign(body)
	if err != nil || again.Get(HeaderTransmissionID) == h.Get(HeaderTransmissionID) || verify(again, body, e.WebhookID()) != "SUCCESS" {
		t.Fatalf("resigned delivery: %v", err)
	}
	h.Del(HeaderTransmissionSig)
	status, out := a.do("POST", "/v1/notifications/verify-webhook-signature", nil, map[string]any{"webhook_id": e.WebhookID(), "webhook_event": json.RawMessage(body)}, nil)
	if name, _ := issueOf(t, out); status != 400 || name != "VALIDATION_ERROR" {
		t.Fatalf("missing fields: %d %s", status, out)
	}
}

func TestWebhookDelivery(t *testing.T) {
	got := make(chan http.Header, 4)
	e, a := newAPI(t)
	recv := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.WriteHeader(http.StatusOK)
	})
	ts := httptest.NewServer(recv)
	t.Cleanup(ts.Close)
	e.SetWebhookURL(ts.URL)
	o := a.createOrder("2.00", nil)
	if err := e.Approve(o.ID); err != nil {
		t.Fatal(err)
	}
	e.Flush()
	select {
	case h := <-got:
		if h.Get(HeaderTransmissionSig) == "" {
			t.Fatalf("delivery without signature: %v", h)
		}
	default:
		t.Fatal("no delivery")
	}
	if evs := e.Events(); len(evs) != 1 || evs[0].Status != http.StatusOK {
		t.Fatalf("events %+v", evs)
	}
}

func TestOutageAndHang(t *testing.T) {
	e, a := newAPI(t)
	e.Outage(true)
	status, body := a.do("GET", "/v2/checkout/orders/X", nil, nil, nil)
	if name, _ := issueOf(t, body); status != 503 || name != "SERVICE_UNAVAILABLE" {
		t.Fatalf("outage: %d %s", status, body)
	}
	e.Outage(false)
	e.Hang(true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.URL()+"/v2/checkout/orders/X", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a hung call answered")
	}
	e.Hang(false)
	if status, _ := a.do("GET", "/v2/checkout/orders/X", nil, nil, nil); status != 404 {
		t.Fatalf("after the hang: %d", status)
	}
	o := a.createOrder("3.00", nil)
	e.DropAnswers(true)
	req, _ = http.NewRequest("GET", e.URL()+"/v2/checkout/orders/"+o.ID, nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a dropped call answered")
	}
	e.DropAnswers(false)
	e.RevokeTokens()
	if status, _ := a.do("GET", "/v2/checkout/orders/X", nil, nil, nil); status != 401 {
		t.Fatalf("revoked token: %d", status)
	}
}
