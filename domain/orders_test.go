package domain_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
)

// fakeGateway is a scripted gateway for the domain's order tests: payments
// end as next says, and the test plays the provider's part (webhook events,
// outages). Real providers are tested in gateways/*.
type fakeGateway struct {
	mu       sync.Mutex
	name     string
	caps     domain.GatewayCapabilities
	next     domain.PaymentStatus // what CreatePayment answers
	collect  domain.Money         // what payments report collected; zero: the requested amount
	outage   bool
	creates  int
	refunds  int
	payments map[string]domain.Payment
	byKey    map[string]string
}

func newFakeGateway(name string, caps domain.GatewayCapabilities) *fakeGateway {
	return &fakeGateway{name: name, caps: caps, next: domain.PaymentSucceeded,
		payments: map[string]domain.Payment{}, byKey: map[string]string{}}
}

func (g *fakeGateway) Name() string                             { return g.name }
func (g *fakeGateway) Capabilities() domain.GatewayCapabilities { return g.caps }

func (g *fakeGateway) down() error {
	if g.outage {
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "provider answered 503"}
	}
	return nil
}

func (g *fakeGateway) CreatePayment(_ context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.down(); err != nil {
		return domain.Payment{}, err
	}
	if id, ok := g.byKey[req.IdempotencyKey]; ok {
		return g.payments[id], nil
	}
	g.creates++
	p := domain.Payment{ID: fmt.Sprintf("pay_%d", g.creates), Status: g.next, Amount: req.Amount}
	if g.collect != (domain.Money{}) {
		p.Amount = g.collect
	}
	switch g.next {
	case domain.PaymentFailed:
		// As the Gateway contract has it: the FAILED payment with the
		// bare reason, the error's message worded around it.
		p.Status, p.FailureReason = domain.PaymentFailed, "insufficient_funds"
		g.payments[p.ID] = p
		return p, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: insufficient_funds"}
	case domain.PaymentPending, domain.PaymentRequiresAction:
		p.NextAction = &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://pay.example/" + p.ID}
	}
	g.payments[p.ID] = p
	g.byKey[req.IdempotencyKey] = p.ID
	return p, nil
}

func (g *fakeGateway) ConfirmPayment(_ context.Context, id, _ string) (domain.Payment, error) {
	return g.GetPayment(context.Background(), id)
}

// RefundPayment refunds like the providers do: once per idempotency key,
// never more than was paid.
func (g *fakeGateway) RefundPayment(_ context.Context, req domain.RefundRequest) (domain.Refund, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.down(); err != nil {
		return domain.Refund{}, err
	}
	r := domain.Refund{ID: "re_" + req.IdempotencyKey, Amount: req.Amount}
	if _, done := g.byKey[req.IdempotencyKey]; done {
		return r, nil
	}
	p := g.payments[req.PaymentID]
	if p.Refunded+req.Amount.AmountMinor > p.Amount.AmountMinor {
		return domain.Refund{}, domain.InvalidInput("amount", "refund exceeds what is left of the payment")
	}
	p.Refunded += req.Amount.AmountMinor
	g.payments[p.ID] = p
	g.byKey[req.IdempotencyKey] = p.ID
	g.refunds++
	return r, nil
}

func (g *fakeGateway) GetPayment(_ context.Context, id string) (domain.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.down(); err != nil {
		return domain.Payment{}, err
	}
	p, ok := g.payments[id]
	if !ok {
		return domain.Payment{}, domain.NotFound("payment")
	}
	return p, nil
}

// set changes a payment's state at the provider (the buyer paid, …).
func (g *fakeGateway) set(id string, st domain.PaymentStatus) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.payments[id]
	p.Status, p.NextAction = st, nil
	g.payments[id] = p
}

// ParseWebhook takes the event from the test: the body is the event id and
// the header carries the rest (signatures are the plugins' business); an
// X-Amount header ("2975 EUR") is the amount the event reports.
func (g *fakeGateway) ParseWebhook(_ context.Context, req domain.WebhookRequest) ([]domain.WebhookEvent, error) {
	if req.Header.Get("X-Fake-Signature") != "ok" {
		return nil, domain.InvalidInput("signature", "bad signature")
	}
	var refunded int64
	if _, err := fmt.Sscan(req.Header.Get("X-Refunded"), &refunded); err != nil {
		return nil, domain.InvalidInput("body", "bad refunded total")
	}
	var amount domain.Money
	if a := req.Header.Get("X-Amount"); a != "" {
		if _, err := fmt.Sscan(a, &amount.AmountMinor, &amount.Currency); err != nil {
			return nil, domain.InvalidInput("body", "bad amount")
		}
	}
	return []domain.WebhookEvent{{
		ID: string(req.Body), Kind: domain.WebhookEventKind(req.Header.Get("X-Kind")),
		PaymentID: req.Header.Get("X-Payment"), Refunded: refunded, Amount: amount,
	}}, nil
}

func event(id string, kind domain.WebhookEventKind, paymentID string, refunded int64) domain.WebhookRequest {
	h := map[string][]string{"X-Fake-Signature": {"ok"}, "X-Kind": {string(kind)}, "X-Payment": {paymentID},
		"X-Refunded": {fmt.Sprint(refunded)}}
	return domain.WebhookRequest{Header: h, Body: []byte(id)}
}

// shop is a fixture with a catalog pack and a fake card gateway.
type shop struct {
	*fixture
	gw   *fakeGateway // cards, anywhere, at once
	inst *fakeGateway // Brazil, BRL, 1 to 12 installments
	pack domain.Pack
}

// newShop returns a shop on d; opts are extra service options.
func newShop(t *testing.T, d *db.DB, opts ...domain.Option) *shop {
	t.Helper()
	gw := newFakeGateway("fake", domain.GatewayCapabilities{
		Currencies: []domain.Currency{domain.EUR, domain.BRL}, Methods: []domain.PaymentMethodKind{domain.MethodCard},
		MaxInstallments: 1, Refunds: true, PartialRefunds: true,
	})
	inst := newFakeGateway("inst", domain.GatewayCapabilities{
		Countries: []string{"BR"}, Currencies: []domain.Currency{domain.BRL}, Methods: []domain.PaymentMethodKind{domain.MethodCard},
		MaxInstallments: 12, Refunds: true, PartialRefunds: true,
	})
	reg, err := gateways.New(nil, inst, gw)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: t0}
	opts = append([]domain.Option{domain.WithClock(c), domain.WithGateways(reg)}, opts...)
	svc := domain.NewService(d, domain.Config{SignupGrantDisabled: true}, opts...)
	f := &fixture{svc: svc, store: d, clock: c}
	f.owner = signIn(t, svc, "owner")
	admin := signIn(t, svc, "platform-admin")
	a, _ := domain.ActorFrom(admin)
	a.PlatformAdmin = true
	f.admin = domain.WithActor(context.Background(), a)
	f.org, err = svc.CreateOrg(f.owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
		Code: "pro", Name: "Pro", Credits: 7_000_000, Validity: domain.ValidityNever, Active: true,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 2500}, {Currency: domain.BRL, AmountMinor: 15000}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return &shop{fixture: f, gw: gw, inst: inst, pack: cat.Packs[0]}
}

func (s *shop) buy(ctx context.Context, key string) (domain.Checkout, error) {
	return s.svc.PurchasePack(ctx, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1, IdempotencyKey: key})
}

func (s *shop) order(t *testing.T, id string) domain.Order {
	t.Helper()
	o, err := s.svc.Order(s.owner, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// paidOnce asserts the order is in status with exactly one grant of its
// credits and one invoice, and the ledger invariants hold.
func (s *shop) paidOnce(t *testing.T, o domain.Order, status domain.OrderStatus, balance int64) {
	t.Helper()
	o = s.order(t, o.ID)
	if o.Status != status || o.GrantID == "" {
		t.Fatalf("order is %s (grant %q), want %s with a grant", o.Status, o.GrantID, status)
	}
	grants := 0
	for _, e := range s.ledger(t) {
		if e.Kind == domain.EntryGrant {
			grants++
		}
	}
	if grants != 1 {
		t.Fatalf("%d GRANT entries, want exactly 1", grants)
	}
	invs, err := s.svc.Invoices(s.owner, s.org.ID, domain.Page{})
	if err != nil || len(invs.Edges) != 1 || invs.Edges[0].Node.OrderID != o.ID {
		t.Fatalf("invoices = %+v, %v; want one for the order", invs.Edges, err)
	}
	if b := s.checkInvariants(t); b.Total != balance {
		t.Fatalf("balance %d, want %d", b.Total, balance)
	}
}

func TestPurchasePaidAtOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "k1")
		if err != nil {
			t.Fatal(err)
		}
		o := co.Order
		if o.Status != domain.OrderPaid || o.Total.AmountMinor != 2975 || o.Tax.AmountMinor != 475 || o.Number != "ORD-2026-000001" {
			t.Fatalf("order %s %s total %v tax %v, want PAID ORD-2026-000001 29.75 with 4.75 VAT", o.Number, o.Status, o.Total, o.Tax)
		}
		s.paidOnce(t, o, domain.OrderPaid, 7_000_000)
		inv, err := s.svc.InvoiceOfOrder(s.owner, o.ID)
		if err != nil || inv.Number != "INV-2026-000001" || inv.Total != o.Total || inv.BilledTo.CompanyName != "Acme" {
			t.Fatalf("invoice %+v, %v", inv, err)
		}
		// The same key: the same order, no second payment. Other input: CONFLICT.
		again, err := s.buy(s.owner, "k1")
		if err != nil || again.Order.ID != o.ID || s.gw.creates != 1 {
			t.Fatalf("retry = %s, %v (%d payments); want the same order and one payment", again.Order.ID, err, s.gw.creates)
		}
		_, err = s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 2, Installments: 1, IdempotencyKey: "k1"})
		if codeOf(err) != domain.CodeConflict {
			t.Fatalf("same key, other quantity = %v, want CONFLICT", err)
		}
	})
}

func TestSuccessWebhookFiftyTimesGrantsOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.next = domain.PaymentPending
		co, err := s.buy(s.owner, "k")
		if err != nil || co.Order.Status != domain.OrderPending || co.NextAction == nil {
			t.Fatalf("checkout = %+v, %v; want PENDING with a next action", co, err)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("credits before payment: %d", b.Total)
		}
		pid := s.order(t, co.Order.ID).PaymentID
		s.gw.set(pid, domain.PaymentSucceeded)
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Go(func() {
				errs <- s.svc.HandleWebhook(context.Background(), "fake", event("evt_1", domain.EventPaymentSucceeded, pid, 0))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("delivery: %v", err)
			}
		}
		s.paidOnce(t, co.Order, domain.OrderPaid, 7_000_000)

		// A day later: the same event, and a new event id for the same fact.
		s.clock.Set(t0.Add(24 * time.Hour))
		for _, id := range []string{"evt_1", "evt_2"} {
			if err := s.svc.HandleWebhook(context.Background(), "fake", event(id, domain.EventPaymentSucceeded, pid, 0)); err != nil {
				t.Fatal(err)
			}
		}
		s.paidOnce(t, co.Order, domain.OrderPaid, 7_000_000)
		if err := s.svc.HandleWebhook(context.Background(), "fake", domain.WebhookRequest{Body: []byte("evt_3")}); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("unsigned webhook = %v, want INVALID_INPUT", err)
		}
	})
}

func TestWebhooksOutOfOrder(t *testing.T) {
	t.Parallel()
	type ev struct {
		kind     domain.WebhookEventKind
		refunded int64
	}
	tests := []struct {
		name    string
		events  []ev
		status  domain.OrderStatus
		balance int64
	}{
		{"failure after success", []ev{{domain.EventPaymentSucceeded, 0}, {domain.EventPaymentFailed, 0}}, domain.OrderPaid, 7_000_000},
		{"refund before success", []ev{{domain.EventPaymentRefunded, 2975}, {domain.EventPaymentSucceeded, 0}}, domain.OrderRefunded, 0},
		{"partial refunds in reverse", []ev{{domain.EventPaymentRefunded, 1190}, {domain.EventPaymentRefunded, 595}, {domain.EventPaymentSucceeded, 0}}, domain.OrderPartiallyRefunded, 4_200_000},
		{"processing after success", []ev{{domain.EventPaymentSucceeded, 0}, {domain.EventPaymentProcessing, 0}}, domain.OrderPaid, 7_000_000},
		{"success after failure", []ev{{domain.EventPaymentFailed, 0}, {domain.EventPaymentSucceeded, 0}}, domain.OrderPaid, 7_000_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				s.gw.next = domain.PaymentProcessing
				co, err := s.buy(s.owner, "k")
				if err != nil {
					t.Fatal(err)
				}
				pid := s.order(t, co.Order.ID).PaymentID
				for i, e := range tc.events {
					if err := s.svc.HandleWebhook(context.Background(), "fake", event(fmt.Sprint("evt_", i), e.kind, pid, e.refunded)); err != nil {
						t.Fatalf("event %d: %v", i, err)
					}
				}
				s.paidOnce(t, co.Order, tc.status, tc.balance)
			})
		})
	}
}

func TestGatewayOutageThenReconcile(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.outage = true
		_, err := s.buy(s.owner, "k")
		if codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("purchase during an outage = %v, want GATEWAY_UNAVAILABLE", err)
		}
		orders, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{})
		if err != nil || len(orders.Edges) != 1 || orders.Edges[0].Node.Status != domain.OrderPending {
			t.Fatalf("orders = %+v, %v; want one PENDING", orders.Edges, err)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("credits during the outage: %d", b.Total)
		}
		rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10)
		if err != nil || rep.Checked != 0 {
			t.Fatalf("reconcile of a fresh order = %+v, %v; want nothing checked", rep, err)
		}
		s.clock.Set(t0.Add(time.Hour))
		rep, _ = s.svc.Reconcile(context.Background(), time.Minute, 10)
		if len(rep.Errors) != 1 || len(rep.Changed) != 0 {
			t.Fatalf("reconcile while still down = %+v, want one error", rep)
		}
		s.gw.outage = false
		s.clock.Set(t0.Add(2 * time.Hour))
		rep, err = s.svc.Reconcile(context.Background(), time.Minute, 10)
		if err != nil || len(rep.Changed) != 1 || rep.Changed[0].To != domain.OrderPaid {
			t.Fatalf("reconcile after the outage = %+v, %v; want the order PAID", rep, err)
		}
		s.paidOnce(t, orders.Edges[0].Node, domain.OrderPaid, 7_000_000)
		if s.gw.creates != 1 {
			t.Fatalf("%d payments made, want 1", s.gw.creates)
		}

		// Outage on capture: the order stays unpaid; reconciliation reads
		// the payment's state later.
		s.gw.next = domain.PaymentPending
		co, err := s.buy(s.owner, "k2")
		if err != nil {
			t.Fatal(err)
		}
		s.gw.outage = true
		if _, err := s.svc.ConfirmOrder(s.owner, co.Order.ID); codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("confirm during an outage = %v, want GATEWAY_UNAVAILABLE", err)
		}
		if o := s.order(t, co.Order.ID); o.Status != domain.OrderPending {
			t.Fatalf("after a failed capture the order is %s", o.Status)
		}
		s.gw.outage = false
		s.gw.set(s.order(t, co.Order.ID).PaymentID, domain.PaymentSucceeded)
		s.clock.Set(t0.Add(3 * time.Hour))
		if rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10); err != nil || len(rep.Changed) != 1 {
			t.Fatalf("reconcile = %+v, %v", rep, err)
		}
		if o := s.order(t, co.Order.ID); o.Status != domain.OrderPaid {
			t.Fatalf("after reconciliation the order is %s, want PAID", o.Status)
		}
	})
}

func TestDeclineFailsTheOrder(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.next = domain.PaymentFailed
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodePaymentFailed {
			t.Fatalf("declined purchase = %v, want PAYMENT_FAILED", err)
		}
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodePaymentFailed || s.gw.creates != 1 {
			t.Fatalf("retried declined purchase = %v (%d payments), want the same PAYMENT_FAILED and no new payment", err, s.gw.creates)
		}
		orders, _ := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{Statuses: []domain.OrderStatus{domain.OrderFailed}}, domain.Page{})
		if len(orders.Edges) != 1 || orders.Edges[0].Node.FailureReason == "" {
			t.Fatalf("failed orders = %+v, want one with a reason", orders.Edges)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("credits after a decline: %d", b.Total)
		}
	})
}

func TestRefundOrderClawsBackUnspentShare(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "k")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := consume(s.owner, s.fixture, 6_000_000, "spend"); err != nil {
			t.Fatal(err)
		}
		half := int64(1488) // of 29.75
		in := domain.RefundInput{OrderID: co.Order.ID, Amount: &half, Reason: "goodwill", IdempotencyKey: "r1"}
		if _, err := s.svc.RefundOrder(s.owner, in); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("refund by the owner = %v, want FORBIDDEN (platform admins only)", err)
		}
		res, err := s.svc.RefundOrder(s.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		// 1488/2975 of 7,000,000 = 3,501,176 credits; 1,000,000 are left.
		if res.CreditsRemoved != 1_000_000 || res.CreditsNotRecovered != 2_501_176 || res.Order.Status != domain.OrderPartiallyRefunded {
			t.Fatalf("refund = removed %d, not recovered %d, %s", res.CreditsRemoved, res.CreditsNotRecovered, res.Order.Status)
		}
		again, err := s.svc.RefundOrder(s.admin, in)
		if err != nil || again.CreditsRemoved != res.CreditsRemoved || again.Order.Refunded != half {
			t.Fatalf("repeated refund = %+v, %v; want the first result", again, err)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance after refund %d, want 0", b.Total)
		}
		// The gateway's webhook for the same refund changes nothing.
		if err := s.svc.HandleWebhook(context.Background(), "fake", event("evt_r", domain.EventPaymentRefunded, res.Order.PaymentID, half)); err != nil {
			t.Fatal(err)
		}
		if o := s.order(t, co.Order.ID); o.Refunded != half || o.Status != domain.OrderPartiallyRefunded {
			t.Fatalf("after the webhook refunded %d %s", o.Refunded, o.Status)
		}
		over := int64(2000)
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: &over, IdempotencyKey: "r2"}); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("refunding more than is left = %v, want INVALID_INPUT", err)
		}
		inv, _ := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if inv.Status != domain.InvoicePartiallyRefunded || inv.Refunded != half {
			t.Fatalf("invoice %s refunded %d", inv.Status, inv.Refunded)
		}
	})
}

func TestPurchaseRulesAndRoles(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		outsider := signIn(t, s.svc, "outsider")
		tests := []struct {
			name string
			ctx  context.Context
			in   domain.PurchaseInput
			code domain.Code
		}{
			{"installments outside BR", s.owner, domain.PurchaseInput{Installments: 3}, domain.CodeInvalidInput},
			{"0 installments", s.owner, domain.PurchaseInput{Installments: 0}, domain.CodeInvalidInput},
			{"13 installments", s.owner, domain.PurchaseInput{Installments: 13}, domain.CodeInvalidInput},
			{"unknown gateway", s.owner, domain.PurchaseInput{Installments: 1, Gateway: "bitcoin"}, domain.CodeInvalidInput},
			{"quantity 0", s.owner, domain.PurchaseInput{Installments: 1, Quantity: -1}, domain.CodeInvalidInput},
			{"outsider", outsider, domain.PurchaseInput{Installments: 1}, domain.CodeNotFound},
		}
		for i, tc := range tests {
			in := tc.in
			in.OrgID, in.PackID, in.IdempotencyKey = s.org.ID, s.pack.ID, fmt.Sprint("rule-", i)
			if in.Quantity == 0 {
				in.Quantity = 1
			} else if in.Quantity < 0 {
				in.Quantity = 0
			}
			if _, err := s.svc.PurchasePack(tc.ctx, in); codeOf(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("refused purchases moved credits: %d", b.Total)
		}
		co, err := s.buy(s.owner, "ok")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.Order(outsider, co.Order.ID); codeOf(err) != domain.CodeNotFound {
			t.Fatalf("another org's order = %v, want NOT_FOUND", err)
		}
	})
}

func TestInstallmentsInBrazil(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		br, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Loja", Country: "BR", Currency: domain.BRL})
		if err != nil {
			t.Fatal(err)
		}
		opts, err := s.svc.InstallmentOptions(s.owner, br.ID, s.pack.ID, 1)
		if err != nil || len(opts) != 12 {
			t.Fatalf("options = %d, %v; want 12", len(opts), err)
		}
		// Commission exactly as configured by default: none at 6, 4.99% at 7, 9.99% at 12.
		for _, tc := range []struct {
			n                       int
			commission, total, each int64
		}{{1, 0, 15000, 15000}, {6, 0, 15000, 2500}, {7, 749, 15749, 2250}, {12, 1499, 16499, 1375}} {
			o := opts[tc.n-1]
			if o.Count != tc.n || o.Commission.AmountMinor != tc.commission || o.Total.AmountMinor != tc.total || o.Amount.AmountMinor != tc.each {
				t.Errorf("%d installments: %+v, want commission %d total %d each %d", tc.n, o, tc.commission, tc.total, tc.each)
			}
			co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: br.ID, PackID: s.pack.ID, Quantity: 1,
				Installments: tc.n, IdempotencyKey: fmt.Sprint("br-", tc.n)})
			if err != nil {
				t.Fatal(err)
			}
			if co.Order.Gateway != "inst" || co.Order.Total.AmountMinor != tc.total {
				t.Errorf("%d installments: order via %s total %d, want inst %d", tc.n, co.Order.Gateway, co.Order.Total.AmountMinor, tc.total)
			}
		}
		opts, err = s.svc.InstallmentOptions(s.owner, s.org.ID, s.pack.ID, 1)
		if err != nil || len(opts) != 1 {
			t.Fatalf("options outside Brazil = %+v, %v; want only 1 (at once)", opts, err)
		}
	})
}

// TestPurchaseSameKeyConcurrently sends one purchase 20 times at once: one
// order, one payment, the same answer for everyone.
func TestPurchaseSameKeyConcurrently(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		var wg sync.WaitGroup
		ids := make(chan string, 20)
		for range 20 {
			wg.Go(func() {
				co, err := s.buy(s.owner, "same")
				if err != nil {
					t.Errorf("purchase: %v", err)
					return
				}
				ids <- co.Order.ID
			})
		}
		wg.Wait()
		close(ids)
		first := ""
		for id := range ids {
			if first == "" {
				first = id
			}
			if id != first {
				t.Fatalf("orders %s and %s for one key", first, id)
			}
		}
		orders, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{})
		if err != nil || len(orders.Edges) != 1 || s.gw.creates != 1 {
			t.Fatalf("%d orders and %d payments, want 1 and 1 (%v)", len(orders.Edges), s.gw.creates, err)
		}
		s.paidOnce(t, orders.Edges[0].Node, domain.OrderPaid, 7_000_000)
	})
}

// TestRefundFailures covers a refund's failure paths: bad input and an
// unpaid order change nothing; a gateway outage changes nothing and leaves
// the key usable; the same key sent concurrently refunds once and answers
// alike; two refunds of the rest at once refund it once.
func TestRefundFailures(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "paid")
		if err != nil {
			t.Fatal(err)
		}
		s.gw.next = domain.PaymentPending
		unpaid, err := s.buy(s.owner, "unpaid")
		if err != nil {
			t.Fatal(err)
		}
		amt := func(v int64) *int64 { return &v }
		bad := []struct {
			name string
			in   domain.RefundInput
			code domain.Code
		}{
			{"zero", domain.RefundInput{OrderID: co.Order.ID, Amount: amt(0), IdempotencyKey: "b1"}, domain.CodeInvalidInput},
			{"negative", domain.RefundInput{OrderID: co.Order.ID, Amount: amt(-1), IdempotencyKey: "b2"}, domain.CodeInvalidInput},
			{"over", domain.RefundInput{OrderID: co.Order.ID, Amount: amt(2976), IdempotencyKey: "b3"}, domain.CodeInvalidInput},
			{"no key", domain.RefundInput{OrderID: co.Order.ID}, domain.CodeInvalidInput},
			{"unknown order", domain.RefundInput{OrderID: "01900000-0000-7000-8000-000000000000", IdempotencyKey: "b4"}, domain.CodeNotFound},
			{"unpaid order", domain.RefundInput{OrderID: unpaid.Order.ID, IdempotencyKey: "b5"}, domain.CodeConflict},
		}
		for _, tc := range bad {
			if _, err := s.svc.RefundOrder(s.admin, tc.in); codeOf(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		s.gw.outage = true
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: amt(1000), IdempotencyKey: "r"}); codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("refund during an outage = %v, want GATEWAY_UNAVAILABLE", err)
		}
		s.gw.outage = false
		if o := s.order(t, co.Order.ID); o.Refunded != 0 || o.Status != domain.OrderPaid || s.gw.refunds != 0 {
			t.Fatalf("refused refunds changed the order: refunded %d, %s, %d gateway refunds", o.Refunded, o.Status, s.gw.refunds)
		}
		if b := s.checkInvariants(t); b.Total != 7_000_000 {
			t.Fatalf("refused refunds moved credits: %d", b.Total)
		}

		// The same key, 10 times at once: one refund, one answer.
		var wg sync.WaitGroup
		results := make(chan domain.RefundResult, 10)
		for range 10 {
			wg.Go(func() {
				r, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: amt(1000), IdempotencyKey: "r"})
				if err != nil {
					t.Errorf("concurrent same-key refund: %v", err)
					return
				}
				results <- r
			})
		}
		wg.Wait()
		close(results)
		for r := range results {
			if r.CreditsRemoved != 2_352_941 || r.Order.Refunded != 1000 {
				t.Errorf("same-key refund answered removed %d refunded %d, want 2352941 and 1000", r.CreditsRemoved, r.Order.Refunded)
			}
		}
		if s.gw.refunds != 1 {
			t.Fatalf("%d gateway refunds for one key, want 1", s.gw.refunds)
		}

		// Two refunds of the rest under different keys: one is made; the other
		// is refused by the gateway (both read the order before either
		// committed) or by the order itself (it started after the first
		// committed: a REFUNDED order takes no refund).
		codes := make(chan domain.Code, 2)
		for _, key := range []string{"rest-a", "rest-b"} {
			wg.Go(func() {
				_, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, IdempotencyKey: key})
				codes <- codeOf(err)
			})
		}
		wg.Wait()
		close(codes)
		var ok, refused int
		for c := range codes {
			switch c {
			case "":
				ok++
			case domain.CodeInvalidInput, domain.CodeConflict:
				refused++
			default:
				t.Errorf("competing refund: %s", c)
			}
		}
		o := s.order(t, co.Order.ID)
		if ok != 1 || refused != 1 || o.Refunded != 2975 || o.Status != domain.OrderRefunded || s.gw.refunds != 2 {
			t.Fatalf("two refunds of the rest: %d ok, %d refused; order refunded %d %s; %d gateway refunds", ok, refused, o.Refunded, o.Status, s.gw.refunds)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance after the full refund %d, want 0", b.Total)
		}
	})
}

// TestCancelOrder cancels only unpaid orders; money collected after a
// cancel still pays the order (never dropped).
func TestCancelOrder(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		paid, err := s.buy(s.owner, "paid")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.CancelOrder(s.owner, paid.Order.ID); codeOf(err) != domain.CodeConflict {
			t.Fatalf("cancel of a paid order = %v, want CONFLICT", err)
		}
		s.gw.next = domain.PaymentPending
		co, err := s.buy(s.owner, "pending")
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.svc.CancelOrder(s.owner, co.Order.ID)
		if err != nil || o.Status != domain.OrderCanceled {
			t.Fatalf("cancel = %s, %v; want CANCELED", o.Status, err)
		}
		if again, err := s.svc.CancelOrder(s.owner, co.Order.ID); err != nil || again.Status != domain.OrderCanceled {
			t.Fatalf("second cancel = %s, %v; want CANCELED unchanged", again.Status, err)
		}
		pid := s.order(t, co.Order.ID).PaymentID
		if err := s.svc.HandleWebhook(context.Background(), "fake", event("evt_late", domain.EventPaymentSucceeded, pid, 0)); err != nil {
			t.Fatal(err)
		}
		if o := s.order(t, co.Order.ID); o.Status != domain.OrderPaid || o.GrantID == "" {
			t.Fatalf("money collected after a cancel: order %s, want PAID with its credits", o.Status)
		}
		if b := s.checkInvariants(t); b.Total != 14_000_000 {
			t.Fatalf("balance %d, want both orders' credits", b.Total)
		}
	})
}
