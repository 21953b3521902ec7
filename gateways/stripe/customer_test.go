package stripe

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestCustomerPerOrg(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	count := func(method, path string) (n int) {
		for _, r := range f.Requests() {
			if r.Method == method && r.Path == path {
				n++
			}
		}
		return n
	}
	for range 2 {
		if _, err := g.CreatePayment(ctx, paymentRequest("pm_card_visa")); err != nil {
			t.Fatal(err)
		}
	}
	if customers, _, _ := f.Counts(); customers != 1 || count("GET", "/v1/customers/search") != 1 {
		t.Fatalf("%d customers after %d searches; want one customer found once and then cached", customers, count("GET", "/v1/customers/search"))
	}
	for _, r := range f.Requests() {
		if r.Path == "/v1/customers" && (r.IdempotencyKey != "customer-org_1" || r.Form.Get("metadata[tally_org_id]") != "org_1" ||
			r.Form.Get("email") != "billing@acme.test" || r.Form.Get("name") != "Acme") {
			t.Fatalf("customer create %+v", r)
		}
	}

	// Another instance (or a restart) finds the customer instead of making one.
	other, err := New(Config{SecretKey: testKey, WebhookSecret: testSecret, BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreatePayment(ctx, paymentRequest("pm_card_visa")); err != nil {
		t.Fatal(err)
	}
	if customers, _, _ := f.Counts(); customers != 1 || count("POST", "/v1/customers") != 1 {
		t.Fatalf("%d customers, %d creates; want the existing one found", customers, count("POST", "/v1/customers"))
	}

	// Another org gets its own; an org with a quote in its id is searched for safely.
	req := paymentRequest("pm_card_visa")
	req.Customer = domain.Customer{OrgID: `org_'2\`}
	if _, err := g.CreatePayment(ctx, req); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	clear(g.customers)
	g.mu.Unlock()
	if _, err := g.CreatePayment(ctx, req); err != nil {
		t.Fatal(err)
	}
	if customers, _, _ := f.Counts(); customers != 2 {
		t.Fatalf("%d customers, want 2", customers)
	}

	// No org: no customer.
	req = paymentRequest("pm_card_visa")
	req.Customer = domain.Customer{}
	if _, err := g.CreatePayment(ctx, req); err != nil {
		t.Fatal(err)
	}
	if last := f.Requests()[len(f.Requests())-1]; last.Form.Get("customer") != "" {
		t.Fatalf("a payment without an org named customer %q", last.Form.Get("customer"))
	}
}

func TestCustomerSearchFailure(t *testing.T) {
	g, f := newTestGateway(t, func(c *Config) { c.MaxNetworkRetries = -1 })
	f.Script(500, `{"error":{"type":"api_error","message":"search is down"}}`)
	if _, err := g.CreatePayment(context.Background(), paymentRequest("pm_card_visa")); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("CreatePayment with search down = %v, want GATEWAY_UNAVAILABLE", err)
	}
	if _, intents, _ := f.Counts(); intents != 0 {
		t.Fatal("a payment was made without its customer")
	}
}

func TestDeletedCustomerIsReplaced(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	old, err := g.customerID(ctx, domain.Customer{OrgID: "org_1"})
	if err != nil {
		t.Fatal(err)
	}
	f.DeleteCustomer(old)
	if _, err := g.CreatePayment(ctx, paymentRequest("pm_card_visa")); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("paying for a deleted customer = %v, want NOT_FOUND", err)
	}
	if _, err := g.CreatePayment(ctx, paymentRequest("pm_card_visa")); err != nil {
		t.Fatalf("the next payment: %v", err)
	}
	renewed, err := g.customerID(ctx, domain.Customer{OrgID: "org_1"})
	if err != nil || renewed == old {
		t.Fatalf("customer after deletion = %q, %v; want a new one, not %q", renewed, err, old)
	}
}
