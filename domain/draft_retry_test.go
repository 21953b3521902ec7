package domain_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// TestCheckoutInstallments: the installment count is chosen at checkout.
// Another count than the draft's charges exactly the draft's
// installmentOptions entry for it at the version the buyer saw (commission
// line included); a count purchasePack would refuse is INVALID_INPUT on
// installments and charges nothing, leaving the draft as it was.
func TestCheckoutInstallments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		country      string
		currency     domain.Currency
		draftCount   int
		installments int // at checkout; 0: the draft's
		wantCount    int // charged in; 0: refused
		wantTotal    int64
	}{
		{name: "the draft's count", country: "BR", currency: domain.BRL, draftCount: 1, wantCount: 1, wantTotal: 30000},
		{name: "another count, no commission", country: "BR", currency: domain.BRL, draftCount: 1, installments: 6, wantCount: 6, wantTotal: 30000},
		{name: "another count with commission", country: "BR", currency: domain.BRL, draftCount: 1, installments: 7, wantCount: 7, wantTotal: 31497},
		{name: "back to once", country: "BR", currency: domain.BRL, draftCount: 12, installments: 1, wantCount: 1, wantTotal: 30000},
		{name: "above the maximum", country: "BR", currency: domain.BRL, draftCount: 1, installments: 13},
		{name: "zero is the draft's, negative refused", country: "BR", currency: domain.BRL, draftCount: 1, installments: -1},
		{name: "not offered in the org's country", country: "DE", currency: domain.EUR, draftCount: 1, installments: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				org, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Loja", Country: tc.country, Currency: tc.currency})
				if err != nil {
					t.Fatal(err)
				}
				dr, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: org.ID, Installments: tc.draftCount,
					Items: []domain.OrderItemInput{{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 2}}})
				if err != nil {
					t.Fatal(err)
				}
				opts, err := s.svc.DraftInstallmentOptions(s.owner, dr.ID)
				if err != nil {
					t.Fatal(err)
				}
				creates := s.gw.Creates() + s.inst.Creates()
				co, err := s.svc.CheckoutOrder(s.owner, domain.CheckoutOrderInput{OrderID: dr.ID, Version: dr.Version,
					Installments: tc.installments, IdempotencyKey: "k"})
				if tc.wantCount == 0 {
					if !invalidOn(err, "installments") {
						t.Fatalf("checkout: %v, want INVALID_INPUT on installments", err)
					}
					if n := s.gw.Creates() + s.inst.Creates(); n != creates {
						t.Fatalf("%d payments started by a refused checkout", n-creates)
					}
					if again, err := s.svc.Order(s.owner, dr.ID); err != nil || again.Status != domain.OrderDraft || again.Version != dr.Version {
						t.Fatalf("draft after a refused checkout: %+v, %v", again, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				o := s.order(t, co.Order.ID)
				count := 1
				if o.Installments != nil {
					count = o.Installments.Count
				}
				if o.Status != domain.OrderPaid || count != tc.wantCount || o.Total.AmountMinor != tc.wantTotal {
					t.Fatalf("order %s in %d installments, total %d; want PAID in %d, %d", o.Status, count, o.Total.AmountMinor, tc.wantCount, tc.wantTotal)
				}
				// What the buyer saw for that count is what was charged.
				var seen *domain.InstallmentOption
				for i := range opts {
					if opts[i].Count == tc.wantCount {
						seen = &opts[i]
					}
				}
				reqs := s.gw.Requests()
				if o.Gateway == s.inst.Name() {
					reqs = s.inst.Requests()
				}
				if seen == nil || seen.Total != o.Total || reqs[len(reqs)-1].Amount != o.Total || reqs[len(reqs)-1].Installments != tc.wantCount {
					t.Fatalf("option %+v, charged %+v, order total %v", seen, reqs[len(reqs)-1], o.Total)
				}
				hasCommission := false
				for _, l := range o.Lines {
					hasCommission = hasCommission || l.Kind == domain.LineInstallmentCommission
				}
				if hasCommission != (tc.wantTotal != 30000) {
					t.Fatalf("lines %+v", o.Lines)
				}
				auditClean(t, d)
			})
		})
	}
}

// TestDraftLimitUnderConcurrency: many createOrder calls for one org at
// once never make more than MaxOpenDrafts drafts; the others get the
// documented CONFLICT (ErrDraftLimit) and write nothing.
func TestDraftLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, already := range []int{0, domain.MaxOpenDrafts - 3} {
		t.Run(fmt.Sprint(already, " drafts before"), func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				item := domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1}
				for range already {
					s.draft(t, item)
				}
				const n = 3 * domain.MaxOpenDrafts
				var (
					wg        sync.WaitGroup
					mu        sync.Mutex
					made, cap int
				)
				start := make(chan struct{})
				for range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: []domain.OrderItemInput{item}})
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							made++
						case conflictOn(err, "") && errors.Is(err, domain.ErrDraftLimit):
							cap++
						default:
							t.Errorf("createOrder: %v", err)
						}
					}()
				}
				close(start)
				wg.Wait()
				if made != domain.MaxOpenDrafts-already || cap != n-made {
					t.Fatalf("%d made, %d refused at the limit; want %d made", made, cap, domain.MaxOpenDrafts-already)
				}
				if c, err := d.CountDrafts(context.Background(), s.org.ID); err != nil || c != domain.MaxOpenDrafts {
					t.Fatalf("%d drafts, %v; want %d", c, err, domain.MaxOpenDrafts)
				}
			})
		})
	}
}

// TestFailedCheckoutGivesCartBack: whichever way a checkout's payment ends
// unpaid — declined at once, failed later on the 3-D Secure page
// (webhook), canceled by the buyer after abandoning the hosted page — the
// order keeps its outcome and the cart comes back as a new draft with the
// same items and quote. A replay of the declined key replays the decline
// and charges nothing; a new key pays the given-back draft once.
func TestFailedCheckoutGivesCartBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// fail runs the first checkout of dr with key and ends it unpaid;
		// it returns the order's ID.
		fail func(t *testing.T, s *shop, dr domain.Order, key string) string
		want domain.OrderStatus
	}{
		{"declined at once", func(t *testing.T, s *shop, dr domain.Order, key string) string {
			s.gw.Next(scripted.Decline)
			_, err := s.checkout(dr, dr.Version, key)
			if codeOf(err) != domain.CodePaymentFailed {
				t.Fatalf("checkout: %v, want PAYMENT_FAILED", err)
			}
			// The replay of the key answers the decline again, charging nothing.
			s.gw.Next(scripted.Succeed)
			creates := s.gw.Creates()
			if _, err := s.checkout(dr, dr.Version, key); codeOf(err) != domain.CodePaymentFailed || s.gw.Creates() != creates {
				t.Fatalf("replay: %v, %d payments started", err, s.gw.Creates()-creates)
			}
			return dr.ID
		}, domain.OrderFailed},
		{"3-D Secure fails later (webhook)", func(t *testing.T, s *shop, dr domain.Order, key string) string {
			s.gw.Next(scripted.Redirect)
			co, err := s.checkout(dr, dr.Version, key)
			if err != nil || co.Order.Status != domain.OrderRequiresAction {
				t.Fatalf("checkout: %+v, %v", co.Order, err)
			}
			s.gw.Settle(co.Order.PaymentID, domain.PaymentFailed)
			if err := s.svc.HandleWebhook(context.Background(), "fake",
				scripted.Webhook("evt_fail", domain.EventPaymentFailed, co.Order.PaymentID, 0)); err != nil {
				t.Fatal(err)
			}
			return co.Order.ID
		}, domain.OrderFailed},
		{"hosted page abandoned, then canceled", func(t *testing.T, s *shop, dr domain.Order, key string) string {
			s.gw.Next(scripted.Pending)
			co, err := s.checkout(dr, dr.Version, key)
			if err != nil || !co.Order.Status.Unpaid() {
				t.Fatalf("checkout: %+v, %v", co.Order, err)
			}
			if _, err := s.svc.CancelOrder(s.owner, co.Order.ID); err != nil {
				t.Fatal(err)
			}
			return co.Order.ID
		}, domain.OrderCanceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				dr := s.draft(t, domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1},
					domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 2})
				id := tc.fail(t, s, dr, "first")
				o := s.order(t, id)
				if o.Status != tc.want || o.RetryDraftID == "" || o.PaidAt != nil {
					t.Fatalf("order %s, retry draft %q", o.Status, o.RetryDraftID)
				}
				back, err := s.svc.Order(s.owner, o.RetryDraftID)
				if err != nil {
					t.Fatal(err)
				}
				if back.Status != domain.OrderDraft || back.Total != dr.Total || len(back.Items) != 2 || back.Credits != dr.Credits ||
					back.Items[1].Quantity != 2 || back.Lines[1].Amount != dr.Lines[1].Amount {
					t.Fatalf("given-back draft %+v, want the items of %+v", back, dr)
				}
				// Settling the same outcome again gives nothing back twice.
				if _, err := s.svc.Reconcile(context.Background(), 0, 10); err != nil {
					t.Fatal(err)
				}
				if c, err := d.CountDrafts(context.Background(), s.org.ID); err != nil || c != 1 {
					t.Fatalf("%d drafts, %v; want the one given back", c, err)
				}
				// The old draft is no longer one: a new key on it is CONFLICT.
				if _, err := s.checkout(dr, dr.Version, "again-old"); !conflictOn(err, "") {
					t.Fatalf("checkout of the consumed draft: %v", err)
				}
				s.gw.Next(scripted.Succeed)
				co, err := s.checkout(back, back.Version, "second")
				if err != nil {
					t.Fatal(err)
				}
				paid := s.order(t, co.Order.ID)
				if paid.Status != domain.OrderPaid || paid.Total != dr.Total || paid.ID != back.ID {
					t.Fatalf("retry %+v", paid)
				}
				s.balanceIs(t, dr.Credits)
				auditClean(t, d)
			})
		})
	}
}

// TestLateCaptureOfGivenBackCart: money a gateway still collects for a
// checkout whose cart was given back pays it only while that cart is
// unused (the given-back draft is then removed); once the cart was checked
// out again the late money is held for review, so one cart never pays
// twice.
func TestLateCaptureOfGivenBackCart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		retry     bool // the given-back draft was checked out and paid
		wantPaid  bool
		wantDraft bool
	}{
		{name: "cart unused: the late payment pays it", retry: false, wantPaid: true},
		{name: "cart paid again: held for review", retry: true, wantPaid: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				logs, opt := newLogSink()
				s := newShop(t, d, opt)
				dr := s.draft(t, domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1})
				s.gw.Next(scripted.Redirect)
				co, err := s.checkout(dr, dr.Version, "first")
				if err != nil {
					t.Fatal(err)
				}
				s.gw.Settle(co.Order.PaymentID, domain.PaymentFailed)
				if err := s.svc.HandleWebhook(context.Background(), "fake",
					scripted.Webhook("evt_fail", domain.EventPaymentFailed, co.Order.PaymentID, 0)); err != nil {
					t.Fatal(err)
				}
				failed := s.order(t, co.Order.ID)
				if failed.Status != domain.OrderFailed || failed.RetryDraftID == "" {
					t.Fatalf("first order %+v", failed)
				}
				want := int64(0)
				if tc.retry {
					back := s.order(t, failed.RetryDraftID)
					s.gw.Next(scripted.Succeed)
					if _, err := s.checkout(back, back.Version, "second"); err != nil {
						t.Fatal(err)
					}
					want = dr.Credits
				}
				// The provider collects the first payment after all.
				s.gw.Settle(failed.PaymentID, domain.PaymentSucceeded)
				if err := s.svc.HandleWebhook(context.Background(), "fake", paidEvent("evt_late", failed.PaymentID, failed.Total)); err != nil {
					t.Fatal(err)
				}
				late := s.order(t, failed.ID)
				if tc.wantPaid {
					want += dr.Credits
					if late.Status != domain.OrderPaid {
						t.Fatalf("late capture of an unused cart: %s (%s)", late.Status, late.Review)
					}
					if _, err := s.svc.Order(s.owner, failed.RetryDraftID); codeOf(err) != domain.CodeNotFound {
						t.Fatalf("the given-back draft survived the late payment: %v", err)
					}
				} else {
					if late.Status == domain.OrderPaid || late.PaidAt != nil || late.Review == "" {
						t.Fatalf("late capture of a cart paid again: %s, review %q", late.Status, late.Review)
					}
					if len(logs.errorsAbout(t, failed.ID)) == 0 {
						t.Fatalf("no ERROR logged about order %s", failed.ID)
					}
				}
				s.balanceIs(t, want)
				auditClean(t, d)
			})
		})
	}
}

// TestGatewayTimeoutOnTopUpAndCheckout: a gateway that times out or cannot
// be reached while topUp or checkoutOrder starts the payment answers
// GATEWAY_UNAVAILABLE and grants nothing; the order stays unpaid (PENDING,
// one order, a checkout's draft neither kept nor given back), and a retry
// with the same key once the gateway answers pays that same order exactly
// once, also when the provider had collected the first attempt (the answer
// was lost). A checkout with a new key meanwhile is CONFLICT.
func TestGatewayTimeoutOnTopUpAndCheckout(t *testing.T) {
	t.Parallel()
	type buy func(s *shop, key string) (domain.Checkout, error)
	topUp := func(s *shop, key string) (domain.Checkout, error) { return s.topUp(s.owner, 10000, key) }
	ops := map[string]func(t *testing.T, s *shop) buy{
		"topUp": func(t *testing.T, s *shop) buy { s.loadTopUps(t); return topUp },
		"checkoutOrder": func(t *testing.T, s *shop) buy {
			dr := s.draft(t, domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 2})
			return func(s *shop, key string) (domain.Checkout, error) { return s.checkout(dr, dr.Version, key) }
		},
	}
	faults := []struct {
		name  string
		fault func(s *shop)
		// collected: the provider charged the first attempt.
		collected bool
	}{
		{"provider unreachable", func(s *shop) { s.gw.Outage(true) }, false},
		{"provider answers 503", func(s *shop) { s.gw.Next(scripted.Unavailable) }, false},
		{"timed out after collecting", func(s *shop) { s.gw.Next(scripted.Lost) }, true},
	}
	for opName, setup := range ops {
		for _, f := range faults {
			t.Run(opName+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
					s := newShop(t, d)
					run := setup(t, s)
					f.fault(s)
					if _, err := run(s, "k"); codeOf(err) != domain.CodeGatewayUnavailable {
						t.Fatalf("during the fault: %v, want GATEWAY_UNAVAILABLE", err)
					}
					list, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{})
					if err != nil || len(list.Edges) != 1 || list.Edges[0].Node.Status != domain.OrderPending {
						t.Fatalf("orders %+v, %v; want one PENDING", list.Edges, err)
					}
					o := list.Edges[0].Node
					s.balanceIs(t, 0)
					if n, err := d.CountDrafts(context.Background(), s.org.ID); err != nil || n != 0 {
						t.Fatalf("%d drafts, %v: an unpaid checkout neither keeps nor gives back its cart", n, err)
					}
					if opName == "checkoutOrder" {
						if _, err := run(s, "other-key"); !conflictOn(err, "") {
							t.Fatalf("a new key during the fault: %v, want CONFLICT", err)
						}
					}
					s.gw.Outage(false)
					s.gw.Next(scripted.Succeed)
					for range 2 {
						co, err := run(s, "k")
						if err != nil {
							t.Fatalf("retry with the same key: %v", err)
						}
						if co.Order.ID != o.ID || co.Order.Status != domain.OrderPaid {
							t.Fatalf("retry answered order %s %s, want %s PAID", co.Order.ID, co.Order.Status, o.ID)
						}
					}
					if got := s.orderCount(t, s.org.ID); got != 1 {
						t.Fatalf("%d orders, want 1", got)
					}
					s.balanceIs(t, o.Credits)
					collected := 0
					for _, r := range s.gw.Requests() {
						if r.OrderID == o.ID {
							collected++
						}
					}
					if f.collected && s.gw.Creates() != 1 {
						t.Fatalf("%d payments started at the provider, want the lost one only", s.gw.Creates())
					}
					if collected == 0 {
						t.Fatal("no payment requested")
					}
					auditClean(t, d)
				})
			})
		}
	}
}
