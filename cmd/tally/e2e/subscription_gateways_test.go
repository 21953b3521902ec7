package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
	"github.com/tallyhq/tally/gateways/gatewaytest/paypalemu"
)

// Plan subscriptions in the real binary through the real gateway adapters
// against their test doubles: a payment method saved with the gateway,
// a subscription paid with it, and the renewal the test clock runs at the
// period's end, charged to the saved method off session and invoiced.

// gwSub is the part of a subscription these tests read.
type gwSub struct {
	ID, Status       string
	Installments     int
	CurrentPeriodEnd time.Time
	LatestOrder      *struct{ ID string }
}

const gwSubFields = `id status installments currentPeriodEnd latestOrder { id }`

// subscribeAndRenew subscribes org to plan with the saved method, checks
// the subscription ACTIVE and its order PAID and invoiced through gateway,
// moves the test clock past the period's end as admin and checks the
// renewal order PAID and invoiced through gateway in the same
// installments. It returns the first and the renewal order.
func (c *client) subscribeAndRenew(t *testing.T, admin *client, org, plan, method, gateway string, installments int) (first, renewal gqlOrder) {
	t.Helper()
	var co struct {
		Subscription gwSub
		Order        *struct{ ID string }
	}
	c.must(t, `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { `+gwSubFields+` } order { id } } }`,
		map[string]any{"in": map[string]any{"orgId": org, "planId": plan, "seats": 1, "paymentMethodId": method,
			"installments": installments, "idempotencyKey": "sub-" + gateway}}, "subscribe", &co)
	sub := co.Subscription
	if sub.Status != "ACTIVE" || sub.Installments != installments || co.Order == nil {
		t.Fatalf("subscribe with a saved %s method: %+v", gateway, co)
	}
	first = c.paidThrough(t, co.Order.ID, gateway, installments)

	admin.must(t, advanceClock, map[string]any{"to": sub.CurrentPeriodEnd.Add(time.Minute).Format(time.RFC3339Nano)}, "advanceTestClock", nil)
	var read struct{ Subscription gwSub }
	c.must(t, `query($o: ID!) { org(id: $o) { subscription { `+gwSubFields+` } } }`, map[string]any{"o": org}, "org", &read)
	renewed := read.Subscription
	if renewed.Status != "ACTIVE" || !renewed.CurrentPeriodEnd.After(sub.CurrentPeriodEnd) || renewed.LatestOrder == nil ||
		renewed.LatestOrder.ID == first.ID {
		t.Fatalf("after the period's end: %+v, want ACTIVE in a new period with a new order", renewed)
	}
	renewal = c.paidThrough(t, renewed.LatestOrder.ID, gateway, installments)
	if renewal.Total.AmountMinor != first.Total.AmountMinor || renewal.Invoice.Number == first.Invoice.Number {
		t.Fatalf("renewal %+v, want the first order's total on its own invoice (first %+v)", renewal, first)
	}
	return first, renewal
}

// paidThrough reads order id and checks it PAID through gateway in
// installments, with an invoice PDF that carries its total.
func (c *client) paidThrough(t *testing.T, id, gateway string, installments int) gqlOrder {
	t.Helper()
	o := c.order(t, id)
	var inst struct{ Installments *struct{ Count int } }
	c.must(t, `query($id: ID!) { order(id: $id) { installments { count } } }`, map[string]any{"id": id}, "order", &inst)
	count := 1
	if inst.Installments != nil {
		count = inst.Installments.Count
	}
	if o.Status != "PAID" || o.Gateway != gateway || count != installments {
		t.Fatalf("order %+v in %d installments, want PAID through %s in %d", o, count, gateway, installments)
	}
	c.checkInvoicePDF(t, o)
	return o
}

// TestSubscribeWithInstallments saves a card with Mercado Pago (the
// emulator), subscribes a Brazilian org to Team paying it in 3
// installments, and renews: the renewal is charged to the saved card as
// its customer, with no buyer, in the same 3 installments.
func TestSubscribeWithInstallments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) { subscribeWithInstallments(t, b) })
}

func subscribeWithInstallments(t *testing.T, b backend) {
	emu := mercadopagoemu.New()
	defer emu.Close()
	dbURL := b.newDB(t)
	seedCatalog(t, dbURL)
	s := startServer(t, dbURL, "TALLY_SANDBOX=off", "TALLY_TEST_CLOCK=1",
		"MERCADOPAGO_ACCESS_TOKEN="+mercadopagoemu.AccessToken, "MERCADOPAGO_WEBHOOK_SECRET="+mercadopagoemu.WebhookSecret,
		"MERCADOPAGO_API_BASE="+emu.URL())
	admin := s.as("Bearer " + token(t, "root@platform.example", true))
	owner := s.user(t, "dono@assinatura.example")
	org := owner.createOrg(t, "Assinatura", "BR", "BRL")
	team := owner.planID(t, "BRL", "team-monthly")

	saved := owner.mustAddGatewayMethod(t, org, "installments", "visa:"+mercadopagoemu.TokenApprove, "mp-card")
	m := saved.PaymentMethod
	if m.Status != "ACTIVE" || m.Gateway != "installments" || m.Kind != "CARD" || saved.NextAction.Kind != "NONE" {
		t.Fatalf("saved card %+v", saved)
	}
	before := len(emu.PaymentIDs())
	first, renewal := owner.subscribeAndRenew(t, admin, org, team, m.ID, "installments", 3)

	ids := emu.PaymentIDs()
	if len(ids) != before+2 {
		t.Fatalf("Mercado Pago saw %d payments, want 2 (%v)", len(ids)-before, ids)
	}
	var cardID string
	for i, id := range ids[before:] {
		p, _ := emu.Payment(id)
		want := []int64{first.Total.AmountMinor, renewal.Total.AmountMinor}[i]
		if p.Status != "approved" || p.Installments != 3 || p.AmountMinor != want || p.PayerType != "customer" || p.CardID == "" {
			t.Fatalf("payment %d on Mercado Pago %+v, want approved, 3 installments of %d, as the customer with the saved card", i, p, want)
		}
		if cardID != "" && p.CardID != cardID {
			t.Fatalf("the renewal paid with card %s, the subscription with %s", p.CardID, cardID)
		}
		cardID = p.CardID
	}
}

// TestSubscribeWithPayPal saves a PayPal wallet with the emulator's Vault
// v3 (a setup token the buyer approves on PayPal's page, then
// confirmPaymentMethod), subscribes a French org to Team with it, and
// renews: both charges are orders PayPal captures with the saved payment
// token and no buyer.
func TestSubscribeWithPayPal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) { subscribeWithPayPal(t, b) })
}

func subscribeWithPayPal(t *testing.T, b backend) {
	emu := paypalemu.New()
	defer emu.Close()
	dbURL := b.newDB(t)
	seedCatalog(t, dbURL)
	s := startServer(t, dbURL, "TALLY_SANDBOX=off", "TALLY_TEST_CLOCK=1", "PAYPAL_CLIENT_ID="+emu.ClientID(), "PAYPAL_SECRET="+emu.Secret(),
		"PAYPAL_WEBHOOK_ID="+emu.WebhookID(), "PAYPAL_API_BASE="+emu.URL())
	admin := s.as("Bearer " + token(t, "root@platform.example", true))
	owner := s.user(t, "owner@wallet.example")
	org := owner.createOrg(t, "Wallet", "FR", "EUR")
	team := owner.planID(t, "EUR", "team-monthly")

	// No token: a setup token, PENDING until the buyer approves on PayPal.
	setup := owner.mustAddGatewayMethod(t, org, "paypal", "", "pp-wallet")
	m := setup.PaymentMethod
	if m.Status != "PENDING" || m.Gateway != "paypal" || m.Kind != "PAYPAL" || setup.NextAction.Kind != "REDIRECT" {
		t.Fatalf("saving a PayPal wallet: %+v, want PENDING with a redirect to PayPal", setup)
	}
	link, err := url.Parse(setup.NextAction.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	setupToken := link.Query().Get("approval_session_id")
	if r := owner.do(t, `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { id } } }`,
		map[string]any{"in": map[string]any{"orgId": org, "planId": team, "seats": 1, "paymentMethodId": m.ID, "idempotencyKey": "early"}}); r.code() != "INVALID_INPUT" || r.Errors[0].Extensions.Field != "paymentMethodId" {
		t.Fatalf("subscribing with a wallet the buyer has not approved: %+v, want INVALID_INPUT on paymentMethodId", r.Errors)
	}
	// The buyer follows the approve link.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(link.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 && resp.StatusCode/100 != 3 {
		t.Fatalf("PayPal's approve page answered %d", resp.StatusCode)
	}
	var conf methodSetup
	owner.must(t, confirmMethod, map[string]any{"id": m.ID}, "confirmPaymentMethod", &conf)
	if conf.PaymentMethod.Status != "ACTIVE" || conf.NextAction.Kind != "NONE" {
		t.Fatalf("confirm after approval: %+v", conf)
	}
	st, ok := emu.SetupToken(setupToken)
	if !ok || st.PaymentToken == "" {
		t.Fatalf("setup token %q on PayPal: %+v, want exchanged for a payment token", setupToken, st)
	}

	before := len(emu.Events())
	first, renewal := owner.subscribeAndRenew(t, admin, org, team, m.ID, "paypal", 1)

	// PayPal captured two orders, each with the saved payment token.
	var captured []string
	for _, d := range emu.Events()[before:] {
		if d.EventType != "PAYMENT.CAPTURE.COMPLETED" {
			continue
		}
		var ev struct {
			Resource struct {
				SupplementaryData struct {
					RelatedIDs struct {
						OrderID string `json:"order_id"`
					} `json:"related_ids"`
				} `json:"supplementary_data"`
			}
		}
		if err := json.Unmarshal(d.Body, &ev); err != nil {
			t.Fatal(err)
		}
		o, _ := emu.Order(ev.Resource.SupplementaryData.RelatedIDs.OrderID)
		if o.VaultID != st.PaymentToken || o.Status != "COMPLETED" {
			t.Fatalf("PayPal order %+v, want COMPLETED charging payment token %s without the buyer", o, st.PaymentToken)
		}
		captured = append(captured, o.Value)
	}
	want := []string{first.Total.Amount, renewal.Total.Amount}
	if len(captured) != 2 || captured[0] != want[0] || captured[1] != want[1] {
		t.Fatalf("PayPal captured %v, want %v", captured, want)
	}
}

// stripeState stands in front of stripe-mock, which checks every request
// against Stripe's OpenAPI spec but keeps no state and answers fixtures (a
// SetupIntent that is never succeeded, one PaymentIntent id for all). It
// forwards each request to stripe-mock and, where stripe-mock accepted it,
// answers what Stripe would for a card that works: a SetupIntent
// succeeded with its card, a confirmed PaymentIntent succeeded with the
// request's amount, currency and metadata under an id of its own (read
// back as created). It records the PaymentIntents' create requests.
type stripeState struct {
	mock string
	mu   sync.Mutex
	n    int
	pis  map[string][]byte
	// created are the form bodies of POST /v1/payment_intents, in order.
	created []url.Values
}

func newStripeState(t *testing.T, mock string) (*stripeState, string) {
	st := &stripeState{mock: mock, pis: map[string][]byte{}}
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	return st, srv.URL
}

func (st *stripeState) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequest(r.Method, st.mock+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	form, _ := url.ParseQuery(string(body))
	if resp.StatusCode == http.StatusOK {
		answer = st.rewrite(r.Method, r.URL.Path, form, answer)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// rewrite turns stripe-mock's fixture answer into a stateful one.
func (st *stripeState) rewrite(method, path string, form url.Values, answer []byte) []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	var obj map[string]any
	if json.Unmarshal(answer, &obj) != nil {
		return answer
	}
	card := map[string]any{"id": form.Get("payment_method"), "object": "payment_method", "type": "card",
		"card": map[string]any{"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034}}
	switch {
	case method == http.MethodPost && path == "/v1/setup_intents":
		obj["status"], obj["customer"], obj["payment_method"], obj["usage"] = "succeeded", form.Get("customer"), card, form.Get("usage")
	case method == http.MethodPost && path == "/v1/payment_intents" && form.Get("confirm") == "true":
		st.n++
		st.created = append(st.created, form)
		obj["id"] = fmt.Sprintf("pi_e2e_%d", st.n)
		obj["status"], obj["customer"], obj["payment_method"] = "succeeded", form.Get("customer"), form.Get("payment_method")
		obj["amount"], obj["amount_received"], obj["currency"] = json.Number(form.Get("amount")), json.Number(form.Get("amount")), form.Get("currency")
		md := map[string]string{}
		for k, v := range form {
			if key, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(key, "]") {
				md[strings.TrimSuffix(key, "]")] = v[0]
			}
		}
		obj["metadata"], obj["next_action"], obj["last_payment_error"] = md, nil, nil
		b, _ := json.Marshal(obj)
		st.pis[obj["id"].(string)] = b
		return b
	case method == http.MethodGet && strings.HasPrefix(path, "/v1/payment_intents/"):
		if b, ok := st.pis[strings.TrimPrefix(path, "/v1/payment_intents/")]; ok {
			return b
		}
		return answer
	default:
		return answer
	}
	b, _ := json.Marshal(obj)
	return b
}

// paymentIntents returns the form bodies of the confirmed PaymentIntents
// created so far.
func (st *stripeState) paymentIntents() []url.Values {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]url.Values(nil), st.created...)
}

// TestSubscribeWithStripe saves a card (a pm_ id as Stripe Elements makes
// it) with a SetupIntent, subscribes a German org to Team with it and
// renews: the subscription's PaymentIntent is confirmed with the buyer
// there, the renewal's off session, both on the saved card of the org's
// customer. Requests go to stripe-mock (checked against Stripe's spec)
// through stripeState for the state it lacks.
func TestSubscribeWithStripe(t *testing.T) {
	mock := gatewaytest.StripeMock(t)
	forEachBackend(t, func(t *testing.T, b backend) { subscribeWithStripe(t, b, mock) })
}

func subscribeWithStripe(t *testing.T, b backend, mock string) {
	st, base := newStripeState(t, mock)
	dbURL := b.newDB(t)
	seedCatalog(t, dbURL)
	s := startServer(t, dbURL, "TALLY_SANDBOX=off", "TALLY_TEST_CLOCK=1", "STRIPE_SECRET_KEY=sk_test_123",
		"STRIPE_WEBHOOK_SECRET=whsec_e2e", "STRIPE_API_BASE="+base)
	admin := s.as("Bearer " + token(t, "root@platform.example", true))
	owner := s.user(t, "owner@cards.example")
	org := owner.createOrg(t, "Cards", "DE", "EUR")
	team := owner.planID(t, "EUR", "team-monthly")

	saved := owner.mustAddGatewayMethod(t, org, "stripe", "pm_card_visa", "st-card")
	m := saved.PaymentMethod
	if m.Status != "ACTIVE" || m.Gateway != "stripe" || m.Kind != "CARD" || m.Brand != "visa" || m.Last4 == nil || *m.Last4 != "4242" ||
		saved.NextAction.Kind != "NONE" {
		t.Fatalf("saved card %+v", saved)
	}
	first, renewal := owner.subscribeAndRenew(t, admin, org, team, m.ID, "stripe", 1)

	pis := st.paymentIntents()
	if len(pis) != 2 {
		t.Fatalf("%d confirmed PaymentIntents, want 2: %v", len(pis), pis)
	}
	for i, c := range []struct {
		order      gqlOrder
		offSession string
	}{{first, "false"}, {renewal, "true"}} {
		f := pis[i]
		if f.Get("payment_method") != "pm_card_visa" || f.Get("customer") == "" || f.Get("off_session") != c.offSession ||
			f.Get("amount") != fmt.Sprint(c.order.Total.AmountMinor) || f.Get("currency") != "eur" ||
			f.Get("metadata[tally_order_id]") != localID(t, c.order.ID) {
			t.Fatalf("PaymentIntent %d: %v, want the saved card of a customer, off_session=%s, %d eur for order %s",
				i, f, c.offSession, c.order.Total.AmountMinor, c.order.Number)
		}
	}
	if pis[0].Get("customer") != pis[1].Get("customer") {
		t.Fatalf("the renewal charged customer %s, the subscription %s", pis[1].Get("customer"), pis[0].Get("customer"))
	}
}
