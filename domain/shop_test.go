package domain_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// shop is a fixture with a catalog pack and two scripted card gateways;
// the test plays the providers' part through them.
type shop struct {
	*fixture
	gw   *scripted.Vault // "fake": cards, anywhere, at once; saves cards
	inst *scripted.Vault // "inst": Brazil, BRL, 1 to 12 installments; saves cards
	pack domain.Pack
	// afterSubscribe, when set, runs right after a test's subscribe.
	afterSubscribe func()
	// subID is the subscription a dunning test follows; spends counts its
	// spends (for their keys).
	subID  string
	spends int
}

// newShop returns a shop on d; opts are extra service options.
func newShop(t *testing.T, d domain.Store, opts ...domain.Option) *shop {
	t.Helper()
	return newShopConfig(t, d, domain.Config{SignupGrantDisabled: true}, opts...)
}

// newShopConfig is newShop with cfg.
func newShopConfig(t *testing.T, d domain.Store, cfg domain.Config, opts ...domain.Option) *shop {
	t.Helper()
	gw := scripted.NewVault("fake", domain.EUR, domain.BRL)
	inst := scripted.WithVault(scripted.New("inst", domain.GatewayCapabilities{
		Countries: []string{"BR"}, Currencies: []domain.Currency{domain.BRL}, Methods: []domain.PaymentMethodKind{domain.MethodCard},
		MaxInstallments: 12, Refunds: true, PartialRefunds: true,
	}))
	reg, err := gateways.New(nil, inst, gw)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: t0}
	opts = append([]domain.Option{domain.WithClock(c), domain.WithGateways(reg)}, opts...)
	svc := domain.NewService(d, cfg, opts...)
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
