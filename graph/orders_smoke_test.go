package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
	"github.com/tallyhq/tally/domain/invoicepdf/pdftext"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

// shopServer is the GraphQL stack with /invoices/{id}.pdf and
// /credit-notes/{id}.pdf beside /graphql, an org (owned by the server's
// token) in DE paying EUR, and a 5.00 EUR pack of 1,000,000 credits.
type shopServer struct {
	*server
	base   string // scheme://host
	orgID  string
	packID string
	vault  *scripted.Vault // "vault": saves payment methods (paymentmethods_smoke_test.go)
}

// newShopServer starts the stack on SQLite; without gateways no purchase
// can be paid.
func newShopServer(t *testing.T, withGateways bool) *shopServer {
	t.Helper()
	return newShopServerOn(t, dbtest.SQLite(t), withGateways)
}

// newShopServerOn is newShopServer on store.
func newShopServerOn(t *testing.T, store domain.Store, withGateways bool) *shopServer {
	t.Helper()
	ctx := context.Background()
	b := bus.NewLocal()
	t.Cleanup(func() { _ = b.Close() })
	var opts []domain.Option
	var vault *scripted.Vault
	if withGateways {
		// Payments end as the buyer's payment method id says: "paid"
		// succeeds at once, "decline" is declined, "secret" needs a
		// client-side confirmation, anything else a redirect; confirmOrder's
		// capture always succeeds.
		gw := scripted.Card("scripted", domain.EUR)
		gw.Decide(scripted.ByPaymentMethod(map[string]scripted.Outcome{
			"paid": scripted.Succeed, "decline": scripted.Decline, "secret": scripted.ClientSecret,
		}, scripted.Redirect))
		gw.CaptureOnConfirm()
		// Purchases route to "scripted" first; "vault" saves methods.
		vault = scripted.NewVault("vault", domain.EUR)
		reg, err := gateways.New(nil, gw, vault)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, domain.WithGateways(reg))
	}
	svc := domain.NewService(store, domain.Config{}, append(opts, domain.WithBus(b))...)
	cat, err := svc.LoadCatalog(ctx, domain.Catalog{Packs: []domain.Pack{{
		Code: "starter-eur", Name: "Starter", Credits: 1_000_000, Validity: domain.ValidityNever, Active: true,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 500}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(ctx, auth.Config{HS256Secret: testSecret}, svc)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	gopts := graph.Options{Auth: a, Metrics: graph.NewMetrics(reg), InitTimeout: 2 * time.Second}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(svc, gopts))
	pdfs := graph.InvoicePDF(svc, invoicepdf.DefaultIssuer(), gopts)
	mux.Handle("/invoices/", pdfs)
	mux.Handle("/credit-notes/", pdfs)
	ts := httptest.NewServer(a.Middleware(mux))
	t.Cleanup(ts.Close)
	s := &shopServer{
		server: &server{t: t, url: ts.URL + "/graphql", token: mint(t, "owner@example.com", false), metrics: gopts.Metrics, reg: reg},
		base:   ts.URL, packID: graph.EncodeID("Pack", cat.Packs[0].ID), vault: vault,
	}
	s.orgID = s.createOrg()
	return s
}

// mint signs a development token.
func mint(t *testing.T, email string, admin bool) string {
	t.Helper()
	tok, err := auth.Mint(testSecret, auth.Claims{Email: email, Name: email, Admin: admin})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// as returns the server seen by another caller ("" for anonymous).
func (s *shopServer) as(token string) *shopServer {
	c := *s
	srv := *s.server
	srv.token = token
	c.server = &srv
	return &c
}

// member returns the server as a new member of the org with role.
func (s *shopServer) member(email, role string) *shopServer {
	s.t.Helper()
	var inv struct{ InviteMember struct{ Token string } }
	s.must(`mutation($o: ID!, $e: String!, $r: Role!) { inviteMember(orgId: $o, email: $e, role: $r) { token } }`,
		map[string]any{"o": s.orgID, "e": email, "r": role}, &inv)
	m := s.as(mint(s.t, email, false))
	var acc struct {
		AcceptInvitation struct{ Membership struct{ Role string } }
	}
	m.must(`mutation($t: String!) { acceptInvitation(token: $t) { membership { role } } }`, map[string]any{"t": inv.InviteMember.Token}, &acc)
	return m
}

// errCode runs a request that has to fail and returns its first error's
// code and field.
func (s *shopServer) errCode(query string, vars map[string]any) (code, field string) {
	s.t.Helper()
	_, res := s.post(query, vars)
	if len(res.Errors) == 0 {
		s.t.Fatalf("no error; data %s", res.Data)
	}
	code, _ = res.Errors[0].Extensions["code"].(string)
	field, _ = res.Errors[0].Extensions["field"].(string)
	return code, field
}

// pdf downloads path with the caller's credentials.
func (s *shopServer) pdf(path string) (*http.Response, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

const purchase = `mutation($in: PurchasePackInput!) { purchasePack(input: $in) {
	order { id number status total { amount currency } credits nextAction { kind redirectUrl clientSecret } invoice { id } }
	nextAction { kind redirectUrl clientSecret } } }`

type checkout struct {
	PurchasePack struct {
		Order struct {
			ID, Number, Status string
			Total              struct{ Amount, Currency string }
			Credits            int64
			NextAction         *nextAction
			Invoice            *struct{ ID string }
		}
		NextAction *nextAction
	}
}

type nextAction struct{ Kind, RedirectURL, ClientSecret string }

func (s *shopServer) buyInput(key, paymentMethod string) map[string]any {
	return map[string]any{"in": map[string]any{
		"orgId": s.orgID, "packId": s.packID, "idempotencyKey": key, "paymentMethodId": paymentMethod,
	}}
}

// TestPurchaseFlow buys a pack over GraphQL — redirect, confirm, PAID,
// credits, invoice, PDF, refund — and watches it on orderUpdated.
func TestPurchaseFlow(t *testing.T) {
	s := newShopServer(t, true)
	admin := s.as(mint(t, "admin@example.com", true))

	var opts struct {
		InstallmentOptions []struct {
			Count                                int
			InstallmentAmount, Commission, Total struct{ Amount string }
		}
	}
	s.must(`query($o: ID!, $p: ID!) { installmentOptions(orgId: $o, packId: $p, quantity: 2) { count installmentAmount { amount } commission { amount } total { amount } } }`,
		map[string]any{"o": s.orgID, "p": s.packID}, &opts)
	if o := opts.InstallmentOptions; len(o) != 1 || o[0].Count != 1 || o[0].Total.Amount != "11.90" || o[0].Commission.Amount != "0.00" || o[0].InstallmentAmount.Amount != "11.90" {
		t.Fatalf("installment options = %+v, want one count of 11.90 (2 × 5.00 + 19%% DE tax)", o)
	}

	ws := s.signedInSocket(t, "graphql-transport-ws", nil)
	ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($o: ID!) { orderUpdated(orgId: $o) { id number status nextAction { kind } } }`,
		"variables": map[string]any{"o": s.orgID},
	}})

	// The subscription starts asynchronously: start purchases until one is
	// pushed; the last one is the order this test pays.
	var (
		c      checkout
		key    string
		pushed map[string]any
	)
	for i := 1; pushed == nil && i <= 10; i++ {
		key = fmt.Sprintf("buy-%d", i)
		s.must(purchase, s.buyInput(key, ""), &c)
		if m, err := ws.next(time.Second); err == nil {
			pushed = m
		} else if err != errTimeout {
			t.Fatalf("reading the subscription: %v", err)
		}
	}
	if pushed == nil {
		t.Fatal("no orderUpdated event")
	}
	o := c.PurchasePack.Order
	if o.Status != "REQUIRES_ACTION" || o.Total.Amount != "5.95" || o.Total.Currency != "EUR" || o.Credits != 1_000_000 || o.Invoice != nil {
		t.Fatalf("order = %+v", o)
	}
	if a := c.PurchasePack.NextAction; a == nil || a.Kind != "REDIRECT" || !strings.HasPrefix(a.RedirectURL, "https://pay.example/") {
		t.Fatalf("checkout next action = %+v", a)
	}
	if a := o.NextAction; a == nil || a.Kind != "REDIRECT" {
		t.Fatalf("order next action = %+v", a)
	}

	var again checkout
	s.must(purchase, s.buyInput(key, ""), &again)
	if again.PurchasePack.Order.ID != o.ID {
		t.Fatalf("a repeated key made order %s, want %s", again.PurchasePack.Order.ID, o.ID)
	}

	var confirmed struct {
		ConfirmOrder struct {
			ID, Status string
			PaidAt     *string
			NextAction *nextAction
			Invoice    *struct{ Number string }
		}
	}
	s.must(`mutation($id: ID!) { confirmOrder(orderId: $id) { id status paidAt nextAction { kind } invoice { number } } }`, map[string]any{"id": o.ID}, &confirmed)
	if co := confirmed.ConfirmOrder; co.Status != "PAID" || co.PaidAt == nil || co.NextAction != nil || co.Invoice == nil {
		t.Fatalf("confirmed order = %+v", co)
	}
	waitOrderEvent(t, ws, o.ID, "PAID")

	var read struct {
		Order struct {
			Number, Status string
			Refunded       struct{ Amount string }
			Invoice        struct {
				ID, Number, Status, PdfURL, OrderNumber string
				Total                                   struct{ Amount string }
				BilledTo                                struct{ Name, Country string }
				Order                                   struct{ ID string }
			}
		}
		Org struct {
			Paid struct {
				Edges []struct{ Node struct{ ID string } }
			}
			Invoices struct {
				Edges []struct{ Node struct{ Number string } }
			}
			Balance struct {
				Paid   int64
				Grants []struct {
					Kind  string
					Order *struct{ Number string }
				}
			}
		}
	}
	s.must(`query($id: ID!, $o: ID!) {
		order(id: $id) { number status refunded { amount } invoice { id number status pdfUrl orderNumber total { amount } billedTo { name country } order { id } } }
		org(id: $o) { paid: orders(status: [PAID]) { edges { node { id } } } invoices { edges { node { number } } }
			balance { paid grants { kind order { number } } } } }`, map[string]any{"id": o.ID, "o": s.orgID}, &read)
	inv := read.Order.Invoice
	if read.Order.Status != "PAID" || read.Order.Refunded.Amount != "0.00" || inv.Status != "PAID" || inv.Total.Amount != "5.95" ||
		inv.OrderNumber != o.Number || inv.Order.ID != o.ID || inv.BilledTo.Name != "Acme" || inv.BilledTo.Country != "DE" {
		t.Fatalf("order = %+v", read.Order)
	}
	if e := read.Org.Paid.Edges; len(e) != 1 || e[0].Node.ID != o.ID {
		t.Fatalf("PAID orders = %+v", e)
	}
	if e := read.Org.Invoices.Edges; len(e) != 1 || e[0].Node.Number != inv.Number {
		t.Fatalf("invoices = %+v", e)
	}
	var purchased int
	for _, g := range read.Org.Balance.Grants {
		if g.Kind == "PURCHASED" {
			purchased++
			if g.Order == nil || g.Order.Number != o.Number {
				t.Fatalf("purchased grant's order = %+v", g.Order)
			}
		} else if g.Order != nil {
			t.Fatalf("%s grant has order %+v", g.Kind, g.Order)
		}
	}
	if purchased != 1 || read.Org.Balance.Paid != 1_000_000 {
		t.Fatalf("balance = %+v", read.Org.Balance)
	}

	var nodes struct {
		O struct{ Number string }
		I struct{ Number string }
	}
	s.must(`query($o: ID!, $i: ID!) { o: node(id: $o) { ... on Order { number } } i: node(id: $i) { ... on Invoice { number } } }`,
		map[string]any{"o": o.ID, "i": inv.ID}, &nodes)
	if nodes.O.Number != o.Number || nodes.I.Number != inv.Number {
		t.Fatalf("nodes = %+v", nodes)
	}

	res, body := s.pdf(inv.PdfURL)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `inline; filename=`+inv.Number+`.pdf` || !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
		t.Fatalf("PDF: status %d, headers %v", res.StatusCode, res.Header)
	}
	text, err := pdftext.Extract(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Invoice number " + inv.Number, "Order number " + o.Number, "Total 5.95 EUR", "Paid via scripted"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}

	refund := `mutation($id: ID!, $amount: Int64, $key: String!) { refundOrder(orderId: $id, amount: $amount, reason: "goodwill", idempotencyKey: $key) {
		order { status refunded { amount } invoice { status } } creditsRemoved creditsNotRecovered } }`
	if code, _ := s.errCode(refund, map[string]any{"id": o.ID, "amount": 100, "key": "r1"}); code != "FORBIDDEN" {
		t.Fatalf("refund by the owner: %s, want FORBIDDEN (platform admins only)", code)
	}
	var refunded struct {
		RefundOrder struct {
			Order struct {
				Status   string
				Refunded struct{ Amount string }
				Invoice  struct{ Status string }
			}
			CreditsRemoved, CreditsNotRecovered int64
		}
	}
	for range 2 { // the retry replays the first result
		admin.must(refund, map[string]any{"id": o.ID, "amount": 119, "key": "r1"}, &refunded)
		if r := refunded.RefundOrder; r.Order.Status != "PARTIALLY_REFUNDED" || r.Order.Refunded.Amount != "1.19" ||
			r.Order.Invoice.Status != "PARTIALLY_REFUNDED" || r.CreditsRemoved != 200_000 || r.CreditsNotRecovered != 0 {
			t.Fatalf("refund = %+v", r)
		}
	}
	if code, _ := admin.errCode(refund, map[string]any{"id": o.ID, "amount": 120, "key": "r1"}); code != "CONFLICT" {
		t.Fatalf("a reused refund key with another amount: %s, want CONFLICT", code)
	}
	if code, field := admin.errCode(refund, map[string]any{"id": o.ID, "amount": 10_000, "key": "r2"}); code != "INVALID_INPUT" || field != "amount" {
		t.Fatalf("refunding more than was paid: %s %s, want INVALID_INPUT amount", code, field)
	}
	waitOrderEvent(t, ws, o.ID, "PARTIALLY_REFUNDED")

	// The refund issued a credit note; refunding the rest issues a second.
	admin.must(refund, map[string]any{"id": o.ID, "amount": nil, "key": "r3"}, &refunded)
	if r := refunded.RefundOrder; r.Order.Status != "REFUNDED" || r.Order.Refunded.Amount != "5.95" || r.Order.Invoice.Status != "REFUNDED" {
		t.Fatalf("refund of the rest = %+v", r)
	}
	type creditNote struct {
		ID, Number, InvoiceNumber, OrderNumber, Reason, PdfURL string
		Subtotal, Tax, Total                                   struct{ Amount string }
		Lines                                                  []struct {
			Kind   string
			Amount struct{ Amount string }
		}
		BilledTo struct{ Name string }
		Invoice  struct{ Number string }
		Order    struct{ ID string }
	}
	const noteFields = `id number invoiceNumber orderNumber reason pdfUrl subtotal { amount } tax { amount } total { amount }
		lines { kind amount { amount } } billedTo { name } invoice { number } order { id }`
	var notes struct {
		Org struct {
			CreditNotes struct {
				Edges    []struct{ Node creditNote }
				PageInfo struct{ HasNextPage bool }
			}
		}
		Invoice struct {
			Status      string
			Refunded    struct{ Amount string }
			CreditNotes []creditNote
		}
	}
	s.must(`query($o: ID!, $i: ID!) { org(id: $o) { creditNotes(first: 1) { edges { node { `+noteFields+` } } pageInfo { hasNextPage } } }
		invoice(id: $i) { status refunded { amount } creditNotes { `+noteFields+` } } }`, map[string]any{"o": s.orgID, "i": inv.ID}, &notes)
	cns := notes.Invoice.CreditNotes
	if notes.Invoice.Status != "REFUNDED" || notes.Invoice.Refunded.Amount != "5.95" || len(cns) != 2 {
		t.Fatalf("invoice after the refunds = %+v", notes.Invoice)
	}
	year := strings.Split(inv.Number, "-")[1]
	for i, want := range []struct{ number, subtotal, tax, total, reason string }{
		// 0.95 tax × 1.19/5.95 = 0.19; the rest of the tax on the second.
		{"CN-" + year + "-000001", "-1.00", "-0.19", "-1.19", "goodwill"},
		{"CN-" + year + "-000002", "-4.00", "-0.76", "-4.76", "goodwill"},
	} {
		cn := cns[i]
		if cn.Number != want.number || cn.Subtotal.Amount != want.subtotal || cn.Tax.Amount != want.tax || cn.Total.Amount != want.total ||
			cn.Reason != want.reason || cn.InvoiceNumber != inv.Number || cn.Invoice.Number != inv.Number || cn.OrderNumber != o.Number ||
			cn.Order.ID != o.ID || cn.BilledTo.Name != "Acme" || len(cn.Lines) != 1 || cn.Lines[0].Kind != "REFUND" || cn.Lines[0].Amount.Amount != want.subtotal {
			t.Errorf("credit note %d = %+v, want %+v", i+1, cn, want)
		}
	}
	if e := notes.Org.CreditNotes.Edges; len(e) != 1 || e[0].Node.ID != cns[1].ID || e[0].Node.Number != cns[1].Number || !notes.Org.CreditNotes.PageInfo.HasNextPage {
		t.Fatalf("org's first credit note = %+v, want the newest, %+v", notes.Org.CreditNotes, cns[1])
	}
	var node struct{ Node struct{ Number string } }
	s.must(`query($id: ID!) { node(id: $id) { ... on CreditNote { number } } }`, map[string]any{"id": cns[0].ID}, &node)
	if node.Node.Number != cns[0].Number {
		t.Fatalf("node(credit note) = %+v", node)
	}

	res, noteBody := s.pdf(cns[0].PdfURL)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `inline; filename=`+cns[0].Number+`.pdf` {
		t.Fatalf("credit note PDF: status %d, headers %v", res.StatusCode, res.Header)
	}
	text, err = pdftext.Extract(bytes.NewReader(noteBody), int64(len(noteBody)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Credit note", "Credit note number " + cns[0].Number, "Refers to invoice " + inv.Number, "Reason goodwill", "Total -1.19 EUR"} {
		if !strings.Contains(text, want) {
			t.Errorf("credit note PDF text lacks %q:\n%s", want, text)
		}
	}
	// The invoice is as issued: its PDF has not changed by a byte.
	if res, after := s.pdf(inv.PdfURL); res.StatusCode != http.StatusOK || !bytes.Equal(after, body) {
		t.Fatalf("the invoice PDF changed after the refunds (status %d)", res.StatusCode)
	}

	if code, _ := s.errCode(`mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": o.ID}); code != "CONFLICT" {
		t.Fatalf("canceling a paid order: %s, want CONFLICT", code)
	}
}

// countOrders returns how many orders the org has, in statuses when given.
func countOrders(t *testing.T, s *shopServer, statuses []string) int {
	t.Helper()
	var out struct {
		Org struct {
			Orders struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	s.must(`query($o: ID!, $st: [OrderStatus!]) { org(id: $o) { orders(first: 100, status: $st) { edges { node { id } } } } }`,
		map[string]any{"o": s.orgID, "st": statuses}, &out)
	return len(out.Org.Orders.Edges)
}

// waitOrderEvent reads orderUpdated events until order id arrives in
// status.
func waitOrderEvent(t *testing.T, ws *wsConn, id, status string) {
	t.Helper()
	for {
		m, err := ws.next(5 * time.Second)
		if err != nil {
			t.Fatalf("waiting for %s: %v", status, err)
		}
		raw, _ := json.Marshal(m["payload"])
		var p struct {
			Data struct{ OrderUpdated struct{ ID, Status string } }
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("event %s: %v", raw, err)
		}
		if p.Data.OrderUpdated.ID == id && p.Data.OrderUpdated.Status == status {
			return
		}
	}
}

// TestPurchaseOutcomes covers the other checkout outcomes: paid at once,
// a client secret to confirm, a decline, cancellation and bad input.
func TestPurchaseOutcomes(t *testing.T) {
	s := newShopServer(t, true)

	var c checkout
	s.must(purchase, s.buyInput("paid", "paid"), &c)
	if o := c.PurchasePack; o.Order.Status != "PAID" || o.NextAction == nil || o.NextAction.Kind != "NONE" || o.Order.NextAction != nil || o.Order.Invoice == nil {
		t.Fatalf("synchronous payment: %+v", o)
	}

	s.must(purchase, s.buyInput("secret", "secret"), &c)
	if a := c.PurchasePack.NextAction; a == nil || a.Kind != "CONFIRM" || a.ClientSecret == "" || a.RedirectURL != "" {
		t.Fatalf("client secret flow: %+v", a)
	}
	var canceled struct{ CancelOrder struct{ Status string } }
	for range 2 { // canceling twice is fine
		s.must(`mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": c.PurchasePack.Order.ID}, &canceled)
		if canceled.CancelOrder.Status != "CANCELED" {
			t.Fatalf("cancel = %+v", canceled)
		}
	}

	// A decline tells the buyer nothing a card tester could use: the
	// provider's reason (insufficient_funds) stays on the order's row.
	if _, res := s.post(purchase, s.buyInput("decline", "decline")); len(res.Errors) != 1 ||
		res.Errors[0].Extensions["code"] != "PAYMENT_FAILED" || res.Errors[0].Message != domain.DeclineMessage {
		t.Fatalf("decline: %+v, want PAYMENT_FAILED with the generic message", res.Errors)
	}
	var failed struct {
		Org struct {
			Orders struct {
				Edges []struct {
					Node struct{ Status, FailureReason string }
				}
			}
		}
	}
	s.must(`query($o: ID!) { org(id: $o) { orders(status: [FAILED]) { edges { node { status failureReason } } } } }`, map[string]any{"o": s.orgID}, &failed)
	if e := failed.Org.Orders.Edges; len(e) != 1 || e[0].Node.FailureReason != domain.DeclineMessage {
		t.Fatalf("failed orders = %+v", e)
	}
	if n := countOrders(t, s, nil); n != 3 {
		t.Fatalf("%d orders, want 3", n)
	}

	with := func(k string, v any) map[string]any {
		in := s.buyInput("bad-"+k, "paid")
		in["in"].(map[string]any)[k] = v
		return in
	}
	tests := []struct {
		name        string
		vars        map[string]any
		code, field string
	}{
		{"reused key, other input", s.buyInput("paid", "decline"), "CONFLICT", ""},
		{"malformed pack ID", with("packId", "nope"), "INVALID_INPUT", "packId"},
		{"an org's ID as pack", with("packId", s.orgID), "INVALID_INPUT", "packId"},
		{"unknown pack", with("packId", graph.EncodeID("Pack", "0190b3a0-0000-7000-8000-000000000000")), "INVALID_INPUT", "packId"},
		{"zero packs", with("quantity", 0), "INVALID_INPUT", "quantity"},
		{"zero installments", with("installments", 0), "INVALID_INPUT", "installments"},
		{"13 installments", with("installments", 13), "INVALID_INPUT", "installments"},
		{"installments the gateway cannot take", with("installments", 6), "INVALID_INPUT", "installments"},
		{"unknown gateway", with("gateway", "nope"), "INVALID_INPUT", "gateway"},
		{"PayPal nobody offers", with("method", "PAYPAL"), "INVALID_INPUT", "gateway"},
		{"bad invoice country", with("invoiceDetails", map[string]any{"country": "Germany"}), "INVALID_INPUT", "invoiceDetails.country"},
		{"empty key", with("idempotencyKey", ""), "INVALID_INPUT", "idempotencyKey"},
		{"unknown org", with("orgId", graph.EncodeID("Org", "0190b3a0-0000-7000-8000-000000000000")), "NOT_FOUND", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, field := s.errCode(purchase, tc.vars)
			if code != tc.code || (tc.field != "" && field != tc.field) {
				t.Fatalf("got %s %q, want %s %q", code, field, tc.code, tc.field)
			}
		})
	}
}

// TestPurchaseWithoutGateways: with no gateway configured nothing can be
// bought, and no installment option is offered.
func TestPurchaseWithoutGateways(t *testing.T) {
	s := newShopServer(t, false)
	if code, _ := s.errCode(purchase, s.buyInput("k", "")); code != "GATEWAY_UNAVAILABLE" {
		t.Fatalf("purchase: %s, want GATEWAY_UNAVAILABLE", code)
	}
	var opts struct{ InstallmentOptions []any }
	s.must(`query($o: ID!, $p: ID!) { installmentOptions(orgId: $o, packId: $p) { count } }`, map[string]any{"o": s.orgID, "p": s.packID}, &opts)
	if opts.InstallmentOptions == nil || len(opts.InstallmentOptions) != 0 {
		t.Fatalf("installment options = %v, want []", opts.InstallmentOptions)
	}
	if code, field := s.errCode(purchase, map[string]any{"in": map[string]any{"orgId": s.orgID, "packId": "Zm9v", "idempotencyKey": "k"}}); code != "INVALID_INPUT" || field != "packId" {
		t.Fatalf("malformed pack ID: %s %s", code, field)
	}
}

// TestOrderAccess: only OWNER and BILLING buy and see orders, invoices and
// credit notes;
// MEMBER gets FORBIDDEN (and null for a grant's order), another org's
// member NOT_FOUND, an anonymous caller UNAUTHENTICATED — over GraphQL and
// for the PDF.
func TestOrderAccess(t *testing.T) {
	s := newShopServer(t, true)
	var c checkout
	s.must(purchase, s.buyInput("paid", "paid"), &c)
	orderID := c.PurchasePack.Order.ID
	var inv struct {
		Order struct{ Invoice struct{ ID, PdfURL string } }
	}
	s.must(`query($id: ID!) { order(id: $id) { invoice { id pdfUrl } } }`, map[string]any{"id": orderID}, &inv)
	invoiceID, pdfURL := inv.Order.Invoice.ID, inv.Order.Invoice.PdfURL
	// A refund issues a credit note, read by the same callers.
	var refunded struct {
		RefundOrder struct {
			Order struct {
				Invoice struct {
					CreditNotes []struct{ ID, PdfURL string }
				}
			}
		}
	}
	s.as(mint(t, "admin@example.com", true)).must(`mutation($id: ID!) { refundOrder(orderId: $id, amount: 100, idempotencyKey: "r") {
		order { invoice { creditNotes { id pdfUrl } } } } }`, map[string]any{"id": orderID}, &refunded)
	notes := refunded.RefundOrder.Order.Invoice.CreditNotes
	if len(notes) != 1 {
		t.Fatalf("credit notes after a refund = %+v", notes)
	}
	noteID, notePDF := notes[0].ID, notes[0].PdfURL

	billing := s.member("billing@example.com", "BILLING")
	member := s.member("member@example.com", "MEMBER")
	outsider := s.as(mint(t, "outsider@example.com", false))
	outsider.createOrg()
	anonymous := s.as("")

	ops := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"purchasePack", purchase, s.buyInput("again", "paid")},
		{"order", `query($id: ID!) { order(id: $id) { id } }`, map[string]any{"id": orderID}},
		{"invoice", `query($id: ID!) { invoice(id: $id) { id } }`, map[string]any{"id": invoiceID}},
		{"node", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": orderID}},
		{"confirmOrder", `mutation($id: ID!) { confirmOrder(orderId: $id) { id } }`, map[string]any{"id": orderID}},
		{"orders", `query($o: ID!) { org(id: $o) { orders { edges { cursor } } } }`, map[string]any{"o": s.orgID}},
		{"invoices", `query($o: ID!) { org(id: $o) { invoices { edges { cursor } } } }`, map[string]any{"o": s.orgID}},
		{"creditNotes", `query($o: ID!) { org(id: $o) { creditNotes { edges { cursor } } } }`, map[string]any{"o": s.orgID}},
		{"invoice creditNotes", `query($id: ID!) { invoice(id: $id) { creditNotes { id } } }`, map[string]any{"id": invoiceID}},
		{"credit note node", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": noteID}},
		{"installmentOptions", `query($o: ID!, $p: ID!) { installmentOptions(orgId: $o, packId: $p) { count } }`, map[string]any{"o": s.orgID, "p": s.packID}},
		{"quote", `query($in: QuoteInput!) { quote(input: $in) { total { amount } } }`, map[string]any{"in": map[string]any{"orgId": s.orgID, "packId": s.packID}}},
	}
	callers := []struct {
		name   string
		s      *shopServer
		code   string
		status int
	}{
		{"BILLING", billing, "", http.StatusOK},
		{"MEMBER", member, "FORBIDDEN", http.StatusForbidden},
		{"outsider", outsider, "NOT_FOUND", http.StatusNotFound},
		{"anonymous", anonymous, "UNAUTHENTICATED", http.StatusUnauthorized},
	}
	for _, cl := range callers {
		for _, op := range ops {
			t.Run(cl.name+"/"+op.name, func(t *testing.T) {
				_, res := cl.s.post(op.query, op.vars)
				var code any
				if len(res.Errors) > 0 {
					code = res.Errors[0].Extensions["code"]
				}
				if want := cl.code; (want == "" && code != nil) || (want != "" && code != want) {
					t.Fatalf("code %v, want %q (%+v)", code, want, res.Errors)
				}
			})
		}
		for name, url := range map[string]string{"pdf": pdfURL, "credit note pdf": notePDF} {
			t.Run(cl.name+"/"+name, func(t *testing.T) {
				res, body := cl.s.pdf(url)
				if res.StatusCode != cl.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, cl.status, body)
				}
				if cl.code != "" && !strings.Contains(string(body), `"code":"`+cl.code+`"`) {
					t.Fatalf("body %s, want code %s", body, cl.code)
				}
			})
		}
	}

	t.Run("MEMBER sees grants without their order", func(t *testing.T) {
		var out struct {
			Org struct {
				Balance struct {
					Grants []struct {
						Kind  string
						Order *struct{ ID string }
					}
				}
			}
		}
		member.must(`query($o: ID!) { org(id: $o) { balance { grants { kind order { id } } } } }`, map[string]any{"o": s.orgID}, &out)
		kinds := map[string]bool{}
		for _, g := range out.Org.Balance.Grants {
			kinds[g.Kind] = true
			if g.Order != nil {
				t.Fatalf("a MEMBER sees order %+v", g.Order)
			}
		}
		if !kinds["PURCHASED"] {
			t.Fatalf("grants = %+v, want the purchased one", out.Org.Balance.Grants)
		}
	})

	t.Run("PDF paths", func(t *testing.T) {
		tests := []struct {
			name, path string
			status     int
		}{
			{"unknown invoice", "/invoices/" + graph.EncodeID("Invoice", "0190b3a0-0000-7000-8000-000000000000") + ".pdf", http.StatusNotFound},
			{"an order's ID", "/invoices/" + orderID + ".pdf", http.StatusNotFound},
			{"malformed", "/invoices/nope.pdf", http.StatusNotFound},
			{"no .pdf", "/invoices/" + invoiceID, http.StatusNotFound},
			{"unknown credit note", "/credit-notes/" + graph.EncodeID("CreditNote", "0190b3a0-0000-7000-8000-000000000000") + ".pdf", http.StatusNotFound},
			{"an invoice's ID as a credit note", "/credit-notes/" + invoiceID + ".pdf", http.StatusNotFound},
			{"a credit note's ID as an invoice", "/invoices/" + noteID + ".pdf", http.StatusNotFound},
		}
		for _, tc := range tests {
			if res, body := s.pdf(tc.path); res.StatusCode != tc.status {
				t.Errorf("%s: status %d, want %d: %s", tc.name, res.StatusCode, tc.status, body)
			}
		}
		res, _ := s.pdf(pdfURL)
		etag := res.Header.Get("ETag")
		req, _ := http.NewRequest(http.MethodGet, s.base+pdfURL, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("If-None-Match", etag)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotModified {
			t.Fatalf("revalidation with ETag %s: %v, %v", etag, res, err)
		} else {
			res.Body.Close()
		}
		req, _ = http.NewRequest(http.MethodOptions, s.base+pdfURL, nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNoContent ||
			res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Fatalf("CORS preflight: %v, %v", res, err)
		} else {
			res.Body.Close()
		}
		req, _ = http.NewRequest(http.MethodPost, s.base+pdfURL, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("POST: status %d", res.StatusCode)
		}
	})
}
