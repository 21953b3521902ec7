package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
	"github.com/tallyhq/tally/gateways/sandbox"
)

// sandboxShop is a service selling one pack through the real sandbox
// plugin, whose webhooks the test applies (or drops) itself.
type sandboxShop struct {
	svc   *domain.Service
	sb    *sandbox.Gateway
	owner context.Context
	org   domain.Org
	pack  domain.Pack
	hooks chan domain.WebhookRequest // what the sandbox sent, in order
}

func newSandboxShop(t *testing.T, d *db.DB) *sandboxShop {
	t.Helper()
	s := &sandboxShop{hooks: make(chan domain.WebhookRequest, 16)}
	sb, err := sandbox.New(sandbox.Config{BaseURL: "http://tally.test", DeliveryDelay: time.Millisecond,
		Deliver: func(_ context.Context, req domain.WebhookRequest) error { s.hooks <- req; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	reg, err := gateways.New(nil, sb)
	if err != nil {
		t.Fatal(err)
	}
	s.sb = sb
	s.svc = domain.NewService(d, domain.Config{SignupGrantDisabled: true, PublicURL: "http://tally.test"}, domain.WithGateways(reg))
	s.owner = signIn(t, s.svc, "owner")
	if s.org, err = s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR}); err != nil {
		t.Fatal(err)
	}
	cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
		Code: "pro", Name: "Pro", Credits: 7_000_000, Validity: domain.ValidityNever, Active: true,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 2500}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	s.pack = cat.Packs[0]
	return s
}

// buy purchases one pack with card ("" for the hosted page) and method.
func (s *sandboxShop) buy(key, card string, method domain.PaymentMethodKind) (domain.Checkout, error) {
	return s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1,
		PaymentMethodID: card, Method: method, IdempotencyKey: key})
}

// applyNextHook applies the next webhook the sandbox sends.
func (s *sandboxShop) applyNextHook(t *testing.T) {
	t.Helper()
	select {
	case req := <-s.hooks:
		if err := s.svc.HandleWebhook(context.Background(), sandbox.Name, req); err != nil {
			t.Fatalf("webhook: %v", err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("the sandbox sent no webhook")
	}
}

// order reads the order as its buyer sees it.
func (s *sandboxShop) order(t *testing.T, id string) domain.Order {
	t.Helper()
	o, err := s.svc.Order(s.owner, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestOrderMethodAndDeclineReason: an order says how it is paid whenever
// it is a card or PayPal payment, even when the buyer named no method
// (issue 8: method was null for card payments), and a decline is
// recorded in one form, the provider's bare reason, whether the card was
// declined at once, on the hosted page (by webhook) or when the order was
// confirmed or reconciled (issue 8: "card declined: generic_decline"
// against "generic_decline").
func TestOrderMethodAndDeclineReason(t *testing.T) {
	t.Parallel()
	type how int
	const (
		direct      how = iota // the card is charged by purchasePack
		byWebhook              // the buyer acts on the hosted page; its webhook reports it
		byConfirm              // the same, the webhook lost; confirmOrder asks the gateway
		byReconcile            // the same, reconciliation asks the gateway
	)
	tests := []struct {
		name     string
		card     string
		method   domain.PaymentMethodKind
		how      how
		decline  bool // on the hosted page (else pay)
		status   domain.OrderStatus
		reason   string
		wantWith domain.PaymentMethodKind
	}{
		{"card paid at once", sandbox.CardSucceeds, "", direct, false, domain.OrderPaid, "", domain.MethodCard},
		{"card declined at once", sandbox.CardDeclined, "", direct, false, domain.OrderFailed, "generic_decline", domain.MethodCard},
		{"card without funds", sandbox.CardInsufficientFunds, "", direct, false, domain.OrderFailed, "insufficient_funds", domain.MethodCard},
		{"hosted page paid", "", "", byWebhook, false, domain.OrderPaid, "", domain.MethodCard},
		{"hosted page declined", "", "", byWebhook, true, domain.OrderFailed, "generic_decline", domain.MethodCard},
		{"hosted page declined, confirmed", "", "", byConfirm, true, domain.OrderFailed, "generic_decline", domain.MethodCard},
		{"hosted page declined, reconciled", "", "", byReconcile, true, domain.OrderFailed, "generic_decline", domain.MethodCard},
		{"3-D Secure failed", sandbox.CardRequiresAction, "", byWebhook, true, domain.OrderFailed, "authentication_failed", domain.MethodCard},
		{"PayPal named, paid", "", domain.MethodPayPal, byWebhook, false, domain.OrderPaid, "", domain.MethodPayPal},
		{"card named, declined", "", domain.MethodCard, byWebhook, true, domain.OrderFailed, "generic_decline", domain.MethodCard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newSandboxShop(t, d)
				co, err := s.buy("k", tt.card, tt.method)
				if tt.how == direct {
					if (err != nil) != (tt.status == domain.OrderFailed) {
						t.Fatalf("purchase: %v", err)
					}
					if co.Order.ID == "" {
						orders, _ := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{})
						if len(orders.Edges) != 1 {
							t.Fatalf("%d orders, want the declined one", len(orders.Edges))
						}
						co.Order = orders.Edges[0].Node
					}
				} else {
					if err != nil {
						t.Fatalf("purchase: %v", err)
					}
					if got := s.order(t, co.Order.ID); got.Method != tt.wantWith {
						t.Errorf("before the buyer acts the order's method is %q, want %q", got.Method, tt.wantWith)
					}
					act := s.sb.Approve
					if tt.decline {
						act = s.sb.Decline
					}
					if err := act(co.Order.PaymentID); err != nil {
						t.Fatal(err)
					}
					switch tt.how {
					case byWebhook:
						s.applyNextHook(t)
					case byConfirm:
						<-s.hooks // lost
						if _, err := s.svc.ConfirmOrder(s.owner, co.Order.ID); (err != nil) != tt.decline {
							t.Fatalf("confirmOrder: %v", err)
						}
					case byReconcile:
						<-s.hooks // lost
						if _, err := s.svc.Reconcile(context.Background(), -time.Hour, 10); err != nil {
							t.Fatal(err)
						}
					}
				}
				got := s.order(t, co.Order.ID)
				if got.Status != tt.status || got.FailureReason != tt.reason || got.Method != tt.wantWith {
					t.Errorf("order %s, reason %q, method %q; want %s, %q, %q", got.Status, got.FailureReason, got.Method,
						tt.status, tt.reason, tt.wantWith)
				}
			})
		})
	}
}

// TestOrderMethodOfSingleMethodGateways: a gateway that takes one method
// (Stripe and the installment gateway cards, PayPal PayPal) gives it to an
// order whose buyer named none, before the buyer has done anything.
func TestOrderMethodOfSingleMethodGateways(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		cards := scripted.New("cards", domain.GatewayCapabilities{Currencies: []domain.Currency{domain.EUR},
			Methods: []domain.PaymentMethodKind{domain.MethodCard}, MaxInstallments: 1})
		paypal := scripted.New("pp", domain.GatewayCapabilities{Currencies: []domain.Currency{domain.EUR},
			Methods: []domain.PaymentMethodKind{domain.MethodPayPal}, MaxInstallments: 1})
		for _, g := range []*scripted.Gateway{cards, paypal} {
			g.Next(scripted.Pending)
		}
		reg, err := gateways.New(nil, cards, paypal)
		if err != nil {
			t.Fatal(err)
		}
		s := newShop(t, d, domain.WithGateways(reg))
		for _, tt := range []struct {
			gateway string
			want    domain.PaymentMethodKind
		}{{"cards", domain.MethodCard}, {"pp", domain.MethodPayPal}} {
			co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1,
				Installments: 1, Gateway: tt.gateway, IdempotencyKey: "k-" + tt.gateway})
			if err != nil {
				t.Fatalf("%s: %v", tt.gateway, err)
			}
			if got := s.order(t, co.Order.ID); got.Method != tt.want || co.Order.Method != tt.want {
				t.Errorf("%s: order method %q (checkout %q), want %q", tt.gateway, got.Method, co.Order.Method, tt.want)
			}
		}
	})
}
