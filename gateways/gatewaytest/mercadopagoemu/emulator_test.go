package mercadopagoemu

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// call makes one API call with the emulator's token (or tok) and decodes
// the answer into a generic map or slice.
func call(t *testing.T, e *Emulator, method, path, body string, h map[string]string) (int, any) {
	t.Helper()
	status, raw, err := rawCall(t, e, method, path, body, h)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	var out any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("%s %s: undecodable answer: %v", method, path, err)
	}
	return status, out
}

func field(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

const payBody = `{"transaction_amount": 150.5, "token": "%s", "installments": 3, "payment_method_id": "visa",
	"payer": {"email": "buyer@example.com"}, "external_reference": "order-1", "three_d_secure_mode": "optional"}`

func payWith(token string) string { return strings.Replace(payBody, "%s", token, 1) }

func TestPaymentOutcomes(t *testing.T) {
	e := New()
	defer e.Close()
	cases := []struct {
		token          string
		status, detail string
	}{
		{TokenApprove, "approved", "accredited"},
		{TokenInsufficientAmount, "rejected", "cc_rejected_insufficient_amount"},
		{TokenRejected, "rejected", "cc_rejected_other_reason"},
		{TokenBadSecurityCode, "rejected", "cc_rejected_bad_filled_security_code"},
		{TokenPending, "in_process", "pending_contingency"},
		{TokenChallenge, "pending", "pending_challenge"},
	}
	for _, c := range cases {
		st, p := call(t, e, "POST", "/v1/payments", payWith(c.token), nil)
		if st != http.StatusCreated || field(p, "status") != c.status || field(p, "status_detail") != c.detail {
			t.Errorf("%s: %d %v/%v, want 201 %s/%s", c.token, st, field(p, "status"), field(p, "status_detail"), c.status, c.detail)
		}
		if field(p, "transaction_amount") != 150.5 || field(p, "installments") != 3.0 || field(p, "external_reference") != "order-1" {
			t.Errorf("%s: payment %v", c.token, p)
		}
	}
}

func TestPaymentValidation(t *testing.T) {
	e := New()
	defer e.Close()
	cases := map[string]struct {
		body string
		code float64
	}{
		"unknown token":   {payWith("nope"), codeTokenNotFound},
		"13 installments": {strings.Replace(payWith(TokenApprove), `"installments": 3`, `"installments": 13`, 1), codeInstallments},
		"no email":        {strings.Replace(payWith(TokenApprove), "buyer@example.com", "", 1), codePayerEmail},
		"bad brand":       {strings.Replace(payWith(TokenApprove), `"visa"`, `"diners-x"`, 1), codePaymentMethod},
		"three decimals":  {strings.Replace(payWith(TokenApprove), "150.5", "150.555", 1), codeAmount},
	}
	for name, c := range cases {
		st, body := call(t, e, "POST", "/v1/payments", c.body, nil)
		causes, _ := field(body, "cause").([]any)
		if st != http.StatusBadRequest || field(body, "status") != 400.0 || field(body, "error") != "bad_request" ||
			len(causes) != 1 || field(causes[0], "code") != c.code {
			t.Errorf("%s: %d %v, want 400 with cause %v", name, st, body, c.code)
		}
	}
}

func TestChallengeWithout3DSIsRejected(t *testing.T) {
	e := New()
	defer e.Close()
	body := strings.Replace(payWith(TokenChallenge), `"three_d_secure_mode": "optional"`, `"binary_mode": false`, 1)
	_, p := call(t, e, "POST", "/v1/payments", body, nil)
	if field(p, "status_detail") != "cc_rejected_high_risk" {
		t.Fatalf("challenge card without 3DS = %v", p)
	}
}

func TestAuthOutageAndUnknown(t *testing.T) {
	e := New()
	defer e.Close()
	st, body := call(t, e, "GET", "/v1/payments/1", "", map[string]string{"Authorization": "Bearer wrong"})
	if st != http.StatusUnauthorized || field(body, "error") != "unauthorized" {
		t.Errorf("bad token = %d %v", st, body)
	}
	st, body = call(t, e, "GET", "/v1/payments/1", "", nil)
	if st != http.StatusNotFound || field(body, "message") != "Payment not found" {
		t.Errorf("unknown payment = %d %v", st, body)
	}
	e.Outage(true)
	st, _ = call(t, e, "POST", "/v1/payments", payWith(TokenApprove), nil)
	e.Outage(false)
	if st != http.StatusInternalServerError {
		t.Errorf("outage = %d", st)
	}
	if len(e.PaymentIDs()) != 0 {
		t.Errorf("an outage created a payment")
	}
}

func TestIdempotencyReplay(t *testing.T) {
	e := New()
	defer e.Close()
	h := map[string]string{"X-Idempotency-Key": "k1"}
	_, a := call(t, e, "POST", "/v1/payments", payWith(TokenApprove), h)
	_, b := call(t, e, "POST", "/v1/payments", payWith(TokenApprove), h)
	if field(a, "id") != field(b, "id") || len(e.PaymentIDs()) != 1 {
		t.Fatalf("replay made a second payment: %v %v", field(a, "id"), field(b, "id"))
	}
	_, c := call(t, e, "POST", "/v1/payments", payWith(TokenApprove), map[string]string{"X-Idempotency-Key": "k2"})
	if field(c, "id") == field(a, "id") {
		t.Fatal("a new key replayed the old payment")
	}
	info, _ := e.Payment(jsonID(a))
	if info.IdempotencyKey != "k1" {
		t.Fatalf("recorded key %q", info.IdempotencyKey)
	}
}

func jsonID(v any) string {
	b, _ := json.Marshal(field(v, "id"))
	return string(b)
}

func TestRefunds(t *testing.T) {
	e := New()
	defer e.Close()
	_, p := call(t, e, "POST", "/v1/payments", payWith(TokenApprove), nil)
	id := jsonID(p)
	st, r := call(t, e, "POST", "/v1/payments/"+id+"/refunds", `{"amount": 50.5}`, map[string]string{"X-Idempotency-Key": "r1"})
	if st != http.StatusCreated || field(r, "amount") != 50.5 || field(r, "status") != "approved" {
		t.Fatalf("partial refund = %d %v", st, r)
	}
	_, p = call(t, e, "GET", "/v1/payments/"+id, "", nil)
	if field(p, "status") != "approved" || field(p, "status_detail") != "partially_refunded" || field(p, "transaction_amount_refunded") != 50.5 {
		t.Fatalf("after partial refund %v/%v %v", field(p, "status"), field(p, "status_detail"), field(p, "transaction_amount_refunded"))
	}
	st, body := call(t, e, "POST", "/v1/payments/"+id+"/refunds", `{"amount": 100.01}`, nil)
	if st != http.StatusBadRequest || field(body, "error") != "bad_request" {
		t.Fatalf("over-refund = %d %v", st, body)
	}
	st, _ = call(t, e, "POST", "/v1/payments/"+id+"/refunds", "", nil)
	_, p = call(t, e, "GET", "/v1/payments/"+id, "", nil)
	if st != http.StatusCreated || field(p, "status") != "refunded" || field(p, "transaction_amount_refunded") != 150.5 {
		t.Fatalf("full refund %d: %v %v", st, field(p, "status"), field(p, "transaction_amount_refunded"))
	}
	_, list := call(t, e, "GET", "/v1/payments/"+id+"/refunds", "", nil)
	if l, _ := list.([]any); len(l) != 2 {
		t.Fatalf("refund list %v", list)
	}
	_, rej := call(t, e, "POST", "/v1/payments", payWith(TokenRejected), nil)
	if st, _ := call(t, e, "POST", "/v1/payments/"+jsonID(rej)+"/refunds", "", nil); st != http.StatusBadRequest {
		t.Fatalf("refunding a rejected payment = %d", st)
	}
}

func TestChallengePage(t *testing.T) {
	e := New()
	defer e.Close()
	for _, c := range []struct{ query, status string }{{"", "approved"}, {"?result=fail", "rejected"}} {
		_, p := call(t, e, "POST", "/v1/payments", payWith(TokenChallenge), nil)
		u, _ := field(p, "three_ds_info", "external_resource_url").(string)
		if u == "" || field(p, "three_ds_info", "creq") == "" {
			t.Fatalf("no challenge in %v", p)
		}
		resp, err := e.Client().Get(u + c.query)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("challenge page: %v %v", resp, err)
		}
		resp.Body.Close()
		info, _ := e.Payment(jsonID(p))
		if info.Status != c.status {
			t.Fatalf("after challenge%s status %s, want %s", c.query, info.Status, c.status)
		}
	}
}

func TestSearch(t *testing.T) {
	e := New()
	defer e.Close()
	for _, tok := range []string{TokenRejected, TokenApprove} {
		call(t, e, "POST", "/v1/payments", payWith(tok), nil)
	}
	call(t, e, "POST", "/v1/payments", strings.Replace(payWith(TokenApprove), "order-1", "order-2", 1), nil)
	_, res := call(t, e, "GET", "/v1/payments/search?external_reference=order-1&sort=date_created&criteria=desc", "", nil)
	results, _ := field(res, "results").([]any)
	if len(results) != 2 || field(results[0], "status") != "approved" || field(res, "paging", "total") != 2.0 {
		t.Fatalf("search = %v", res)
	}
}

func TestQuote(t *testing.T) {
	e := New()
	defer e.Close()
	_, q := call(t, e, "GET", "/v1/payment_methods/installments?amount=100.00&payment_method_id=visa", "", nil)
	list, _ := q.([]any)
	if len(list) != 1 {
		t.Fatalf("quote = %v", q)
	}
	costs, _ := field(list[0], "payer_costs").([]any)
	if len(costs) != 12 || field(costs[11], "installments") != 12.0 || field(costs[11], "total_amount") != 100.0 || field(costs[2], "installment_amount") != 33.34 {
		t.Fatalf("payer costs = %v", costs)
	}
	e.SetMinInstallmentAmount(2000)
	_, q = call(t, e, "GET", "/v1/payment_methods/installments?amount=100.00&bin=503143", "", nil)
	list, _ = q.([]any)
	costs, _ = field(list[0], "payer_costs").([]any)
	if len(costs) != 5 || field(list[0], "payment_method_id") != "master" {
		t.Fatalf("with a 20.00 minimum: %v", q)
	}
	if st, _ := call(t, e, "GET", "/v1/payment_methods/installments?payment_method_id=visa", "", nil); st != http.StatusBadRequest {
		t.Fatalf("no amount = %d", st)
	}
}

func TestCheckoutPro(t *testing.T) {
	e := New()
	defer e.Close()
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer back.Close()
	body := `{"items":[{"title":"Pack","quantity":1,"currency_id":"BRL","unit_price":99.9}],
		"payer":{"email":"buyer@example.com"},"external_reference":"order-9",
		"back_urls":{"success":"` + back.URL + `/ok"},"auto_return":"approved",
		"payment_methods":{"installments":12,"default_installments":6},"metadata":{"order_id":"order-9"}}`
	st, pref := call(t, e, "POST", "/checkout/preferences", body, nil)
	initPoint, _ := field(pref, "init_point").(string)
	if st != http.StatusCreated || initPoint == "" {
		t.Fatalf("preference = %d %v", st, pref)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(initPoint)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("status") != "approved" || loc.Query().Get("external_reference") != "order-9" {
		t.Fatalf("checkout page = %d %v", resp.StatusCode, loc)
	}
	info, _ := e.Payment(loc.Query().Get("payment_id"))
	if info.Installments != 6 || info.AmountMinor != 9990 || info.ExternalReference != "order-9" || info.Metadata["order_id"] != "order-9" {
		t.Fatalf("checkout payment %+v", info)
	}
	if _, err := e.PayPreference(field(pref, "id").(string), TokenApprove, 13); err == nil {
		t.Fatal("13 installments accepted")
	}
	st, _ = call(t, e, "POST", "/checkout/preferences", strings.Replace(body, `"BRL"`, `"USD"`, 1), nil)
	if st != http.StatusBadRequest {
		t.Fatalf("USD preference = %d", st)
	}
}

func TestSign(t *testing.T) {
	// HMAC-SHA256("secret", "id:abc123;request-id:req-1;ts:1704908010;")
	got := Sign("secret", "ABC123", "req-1", 1704908010)
	want := "ts=1704908010,v1=" + hmacHex("secret", "id:abc123;request-id:req-1;ts:1704908010;")
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	h, body := New().SignedNotification("42")
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || n.Data.ID != "42" || n.Type != "payment" || n.ID == 0 {
		t.Fatalf("notification %s: %v", body, err)
	}
	ts := strings.TrimPrefix(strings.Split(h.Get("X-Signature"), ",")[0], "ts=")
	if h.Get("X-Signature") != Sign(WebhookSecret, "42", h.Get("X-Request-Id"), atoi64(ts)) {
		t.Fatalf("header %v does not verify", h)
	}
}

func TestAutoNotify(t *testing.T) {
	e := New()
	defer e.Close()
	got := make(chan *http.Request, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r }))
	defer recv.Close()
	e.SetAutoNotify(true)
	body := strings.Replace(payWith(TokenChallenge), `"order-1"`, `"order-1", "notification_url": "`+recv.URL+`/hook"`, 1)
	_, p := call(t, e, "POST", "/v1/payments", body, nil)
	if err := e.Approve(jsonID(p)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case r := <-got:
			if r.URL.Query().Get("data.id") != jsonID(p) || r.Header.Get("X-Signature") == "" {
				t.Fatalf("delivery %v %v", r.URL, r.Header)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery")
		}
	}
	if errs := e.DeliveryErrors(); len(errs) != 0 {
		t.Fatal(errs)
	}
}

func TestHang(t *testing.T) {
	e := New()
	defer e.Close()
	e.Hang(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.URL()+"/v1/payments/1", nil)
	_, err := e.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hanging call = %v", err)
	}
	e.Hang(false)
	if st, _ := call(t, e, "GET", "/v1/payments/1", "", nil); st != http.StatusNotFound {
		t.Fatalf("after Hang(false) = %d", st)
	}
}

func hmacHex(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
