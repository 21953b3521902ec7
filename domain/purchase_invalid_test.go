package domain_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// nothingWritten asserts that the org has no order and key holds no
// idempotency record, also after reconciliation had its chance to pick up
// a left-over order (issue 8: a PENDING order it turned into a payable
// link).
func nothingWritten(t *testing.T, svc *domain.Service, st domain.IdempotencyStore, owner context.Context, orgID, key string) {
	t.Helper()
	if _, err := svc.Reconcile(context.Background(), -time.Hour, 100); err != nil {
		t.Fatal(err)
	}
	orders, err := svc.Orders(owner, orgID, domain.OrderFilter{}, domain.Page{})
	if err != nil || len(orders.Edges) != 0 {
		t.Fatalf("orders after refused input: %d (%v), want none", len(orders.Edges), err)
	}
	if key == "" {
		return
	}
	if _, ok, err := st.FindIdempotency(context.Background(), orgID, key); err != nil || ok {
		t.Fatalf("the key of a refused purchase is recorded (%v): a corrected retry with it would replay the refusal", err)
	}
}

// TestInvalidPurchaseWritesNothing: purchasePack with any kind of invalid
// input answers INVALID_INPUT on the offending field and writes nothing:
// no order (not even a PENDING one for reconciliation to start without
// the buyer's card), no idempotency record, so the same key then buys
// with corrected input.
func TestInvalidPurchaseWritesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*domain.PurchaseInput)
		field string
	}{
		{"unknown sandbox card", func(in *domain.PurchaseInput) { in.PaymentMethodID = "1234" }, "paymentMethodId"},
		{"unknown pack", func(in *domain.PurchaseInput) { in.PackID = "no-such-pack" }, "packId"},
		{"no packs", func(in *domain.PurchaseInput) { in.Quantity = 0 }, "quantity"},
		{"13 installments", func(in *domain.PurchaseInput) { in.Installments = 13 }, "installments"},
		{"installments outside Brazil", func(in *domain.PurchaseInput) { in.Installments = 3 }, "installments"},
		{"unknown gateway", func(in *domain.PurchaseInput) { in.Gateway = "bitcoin" }, "gateway"},
		{"foreign return URL", func(in *domain.PurchaseInput) { in.ReturnURL = "https://evil.example/back" }, "returnUrl"},
		{"bad invoice country", func(in *domain.PurchaseInput) { in.InvoiceDetails = &domain.InvoiceDetails{Country: "Germany"} }, "invoiceDetails.country"},
		{"no idempotency key", func(in *domain.PurchaseInput) { in.IdempotencyKey = "" }, "idempotencyKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newSandboxShop(t, d)
				in := domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1, IdempotencyKey: "k"}
				tt.edit(&in)
				_, err := s.svc.PurchasePack(s.owner, in)
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != tt.field {
					t.Fatalf("purchase = %v, want INVALID_INPUT on %s", err, tt.field)
				}
				nothingWritten(t, s.svc, d, s.owner, s.org.ID, in.IdempotencyKey)
				if in.IdempotencyKey == "" {
					return
				}
				co, err := s.buy(in.IdempotencyKey, "4242424242424242", "")
				if err != nil || co.Order.Status != domain.OrderPaid {
					t.Fatalf("the same key with valid input = %+v, %v; want a PAID order", co.Order, err)
				}
			})
		})
	}
}

// TestPaymentRefusedByProviderWritesNothing: when the provider itself
// refuses the payment as malformed, the order written for it is removed
// again with its key: nothing is left for reconciliation to start.
func TestPaymentRefusedByProviderWritesNothing(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		// The provider refuses every payment as malformed, which the
		// gateway cannot know before asking (as Stripe and a payment
		// method id it does not know).
		gw := scripted.New("refuser", domain.GatewayCapabilities{Currencies: []domain.Currency{domain.EUR},
			Methods: []domain.PaymentMethodKind{domain.MethodCard}, MaxInstallments: 1})
		gw.Next(scripted.RefuseInput)
		reg, err := gateways.New(nil, gw)
		if err != nil {
			t.Fatal(err)
		}
		s := newShop(t, d, domain.WithGateways(reg))
		in := domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1,
			PaymentMethodID: "pm_unknown", IdempotencyKey: "k"}
		for attempt := 1; attempt <= 2; attempt++ {
			_, err := s.svc.PurchasePack(s.owner, in)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "paymentMethodId" {
				t.Fatalf("attempt %d = %v, want the provider's INVALID_INPUT", attempt, err)
			}
			nothingWritten(t, s.svc, d, s.owner, s.org.ID, in.IdempotencyKey)
		}
		if gw.Creates() != 2 {
			t.Fatalf("%d payments asked for, want one per attempt and none by reconciliation", gw.Creates())
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance %d after refused purchases", b.Total)
		}
	})
}

// undoRacer is a store whose OrderByID, once armed, first lets the
// concurrent first attempt finish (its provider refuses and undoOrder
// removes the order and key) before it reads: a retry that found the key
// then finds no order.
type undoRacer struct {
	domain.Store
	release  chan struct{} // closed to let the first attempt's payment be refused
	firstEnd chan struct{} // closed when the first attempt has answered
	once     sync.Once
}

func (u *undoRacer) OrderByID(ctx context.Context, id string) (domain.Order, error) {
	u.once.Do(func() {
		close(u.release)
		<-u.firstEnd
	})
	return u.Store.OrderByID(ctx, id)
}

// heldRefuser refuses every payment as malformed, holding the first refusal
// until released.
type heldRefuser struct {
	*scripted.Gateway
	started, release chan struct{}
	first            *sync.Once
}

func (g heldRefuser) CreatePayment(ctx context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	g.first.Do(func() {
		close(g.started)
		<-g.release
	})
	return g.Gateway.CreatePayment(ctx, req)
}

// TestRetryRacingUndoStartsAgain: a retry that finds the key of a purchase
// whose provider is refusing it, and then finds its order removed again
// (undoOrder), starts the purchase again under the freed key and gets the
// same answer as the first attempt, not NOT_FOUND.
func TestRetryRacingUndoStartsAgain(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		racer := &undoRacer{Store: d, release: make(chan struct{}), firstEnd: make(chan struct{})}
		refuser := scripted.New("refuser", domain.GatewayCapabilities{Currencies: []domain.Currency{domain.EUR},
			Methods: []domain.PaymentMethodKind{domain.MethodCard}, MaxInstallments: 1})
		refuser.Next(scripted.RefuseInput)
		gw := heldRefuser{Gateway: refuser, started: make(chan struct{}), release: racer.release, first: &sync.Once{}}
		reg, err := gateways.New(nil, gw)
		if err != nil {
			t.Fatal(err)
		}
		s := newShop(t, racer, domain.WithGateways(reg))
		in := domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1,
			PaymentMethodID: "pm_unknown", IdempotencyKey: "k"}
		var firstErr error
		go func() {
			defer close(racer.firstEnd)
			_, firstErr = s.svc.PurchasePack(s.owner, in)
		}()
		<-gw.started // the first attempt's order and key are written
		_, err = s.svc.PurchasePack(s.owner, in)
		for i, err := range []error{firstErr, err} {
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "paymentMethodId" {
				t.Fatalf("attempt %d = %v, want the provider's INVALID_INPUT", i+1, err)
			}
		}
		nothingWritten(t, s.svc, d, s.owner, s.org.ID, in.IdempotencyKey)
		if gw.Creates() != 2 {
			t.Fatalf("%d payments asked for, want one per attempt", gw.Creates())
		}
	})
}
