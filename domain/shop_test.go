package domain_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

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
func newShop(t *testing.T, d domain.Store, opts ...domain.Option) *shop {
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
