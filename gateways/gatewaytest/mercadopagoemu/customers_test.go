package mercadopagoemu

import (
	"fmt"
	"net/http"
	"testing"
)

func TestSavedCardLifecycle(t *testing.T) {
	e := New()
	defer e.Close()
	st, cust := call(t, e, "POST", "/v1/customers", `{"email": "Buyer@Example.com", "first_name": "Loja"}`, nil)
	custID, _ := field(cust, "id").(string)
	if st != http.StatusCreated || custID == "" || field(cust, "email") != "buyer@example.com" {
		t.Fatalf("create customer: %d %v", st, cust)
	}
	st, card := call(t, e, "POST", "/v1/customers/"+custID+"/cards", `{"token": "`+TokenApprove+`"}`, map[string]string{"X-Idempotency-Key": "card-1"})
	cardID, _ := field(card, "id").(string)
	if st != http.StatusCreated || cardID == "" || field(card, "customer_id") != custID || field(card, "payment_method", "id") != "visa" || field(card, "last_four_digits") != "5682" {
		t.Fatalf("save card: %d %v", st, card)
	}
	var token string
	newToken := func() (int, any) {
		st, tok := call(t, e, "POST", "/v1/card_tokens", `{"card_id": "`+cardID+`", "customer_id": "`+custID+`"}`, nil)
		token, _ = field(tok, "id").(string)
		return st, tok
	}
	pay := func(payer string) (int, any) {
		return call(t, e, "POST", "/v1/payments", fmt.Sprintf(`{"transaction_amount": 20, "token": %q, "installments": 4,
			"payment_method_id": "visa", "payer": %s, "external_reference": "order-2"}`, token, payer), nil)
	}
	asCustomer := `{"type": "customer", "id": "` + custID + `"}`
	steps := []struct {
		name   string
		do     func() (int, any)
		status int
		check  func(v any) bool
	}{
		{"same email again", func() (int, any) { return call(t, e, "POST", "/v1/customers", `{"email": "buyer@example.com"}`, nil) }, 400,
			func(v any) bool { return field(v, "message") == "the customer already exist." }},
		{"bad email", func() (int, any) { return call(t, e, "POST", "/v1/customers", `{"email": "nope"}`, nil) }, 400, nil},
		{"search by email", func() (int, any) { return call(t, e, "GET", "/v1/customers/search?email=buyer%40example.com", "", nil) }, 200,
			func(v any) bool {
				r, _ := field(v, "results").([]any)
				return len(r) == 1 && field(r[0], "id") == custID
			}},
		{"search finds none", func() (int, any) { return call(t, e, "GET", "/v1/customers/search?email=x%40example.com", "", nil) }, 200,
			func(v any) bool { r, _ := field(v, "results").([]any); return len(r) == 0 }},
		{"same card again", func() (int, any) {
			return call(t, e, "POST", "/v1/customers/"+custID+"/cards", `{"token": "`+TokenApprove+`"}`, nil)
		}, 200, func(v any) bool { return field(v, "id") == cardID }},
		{"card of an unknown customer", func() (int, any) {
			return call(t, e, "POST", "/v1/customers/nobody/cards", `{"token": "`+TokenApprove+`"}`, nil)
		}, 404, nil},
		{"card without a token", func() (int, any) { return call(t, e, "POST", "/v1/customers/"+custID+"/cards", `{}`, nil) }, 400, nil},
		{"list cards", func() (int, any) { return call(t, e, "GET", "/v1/customers/"+custID+"/cards", "", nil) }, 200,
			func(v any) bool { l, _ := v.([]any); return len(l) == 1 }},
		{"card token", newToken, 201, func(v any) bool { return field(v, "card_id") == cardID && field(v, "status") == "active" }},
		{"payment as another customer", func() (int, any) { return pay(`{"type": "customer", "id": "someone"}`) }, 400, nil},
		{"payment as the customer", func() (int, any) { return pay(asCustomer) }, 201, func(v any) bool {
			return field(v, "status") == "approved" && field(v, "payer", "type") == "customer" && field(v, "payer", "id") == custID &&
				field(v, "payer", "email") == "buyer@example.com" && field(v, "installments") == 4.0
		}},
		{"token used twice", func() (int, any) { return pay(asCustomer) }, 400, func(v any) bool { return field(v, "message") == "Card Token not found" }},
		{"account without automatic payments", func() (int, any) {
			e.RequireSecurityCode(true)
			defer e.RequireSecurityCode(false)
			newToken()
			return pay(asCustomer)
		}, 400, func(v any) bool { return field(v, "message") == "security_code_id can't be null" }},
		{"declined card", func() (int, any) {
			if err := e.DeclineCard(cardID, "cc_rejected_insufficient_amount"); err != nil {
				t.Fatal(err)
			}
			newToken()
			return pay(asCustomer)
		}, 201, func(v any) bool {
			return field(v, "status") == "rejected" && field(v, "status_detail") == "cc_rejected_insufficient_amount"
		}},
		{"delete card", func() (int, any) { return call(t, e, "DELETE", "/v1/customers/"+custID+"/cards/"+cardID, "", nil) }, 200,
			func(v any) bool { return field(v, "id") == cardID }},
		{"get deleted card", func() (int, any) { return call(t, e, "GET", "/v1/customers/"+custID+"/cards/"+cardID, "", nil) }, 404, nil},
		{"delete again", func() (int, any) { return call(t, e, "DELETE", "/v1/customers/"+custID+"/cards/"+cardID, "", nil) }, 404, nil},
		{"token of a deleted card", newToken, 404, nil},
	}
	for _, s := range steps {
		st, v := s.do()
		if st != s.status || (s.check != nil && !s.check(v)) {
			t.Fatalf("%s: %d %v", s.name, st, v)
		}
	}
	if c, _ := e.Card(cardID); !c.Deleted || c.IdempotencyKey != "card-1" || c.CustomerID != custID {
		t.Fatalf("card %+v", c)
	}
}

func TestCancelPendingPayment(t *testing.T) {
	e := New()
	defer e.Close()
	_, p := call(t, e, "POST", "/v1/payments", payWith(TokenPending), nil)
	id := fmt.Sprint(int64(field(p, "id").(float64)))
	if st, v := call(t, e, "PUT", "/v1/payments/"+id, `{"status": "cancelled"}`, nil); st != 200 || field(v, "status") != "cancelled" {
		t.Fatalf("cancel: %d %v", st, v)
	}
	if st, _ := call(t, e, "PUT", "/v1/payments/"+id, `{"status": "cancelled"}`, nil); st != 400 {
		t.Fatalf("cancel of a cancelled payment: %d", st)
	}
}
