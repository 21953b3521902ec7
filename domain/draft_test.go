package domain_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// draft creates a draft order of the shop's org with items.
func (s *shop) draft(t *testing.T, items ...domain.OrderItemInput) domain.Order {
	t.Helper()
	d, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: items})
	if err != nil {
		t.Fatalf("createOrder: %v", err)
	}
	if d.Status != domain.OrderDraft || d.Version != 1 {
		t.Fatalf("draft %+v", d)
	}
	return d
}

// checkout checks a draft out at version with key.
func (s *shop) checkout(d domain.Order, version int64, key string) (domain.Checkout, error) {
	return s.svc.CheckoutOrder(s.owner, domain.CheckoutOrderInput{OrderID: d.ID, Version: version, IdempotencyKey: key})
}

func (s *shop) grantByID(t *testing.T, id string) domain.Grant {
	t.Helper()
	gs, err := s.store.GrantsByIDs(context.Background(), []string{id})
	if err != nil || len(gs) != 1 {
		t.Fatalf("grant %s: %v, %v", id, gs, err)
	}
	return gs[0]
}

func conflictOn(err error, field string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeConflict && (field == "" || de.Field == field)
}

func invalidOn(err error, field string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeInvalidInput && de.Field == field
}

// auditClean fails the test when the store breaks an invariant.
func auditClean(t *testing.T, d *db.DB) {
	t.Helper()
	if rep := audit(t, d, db.AuditOptions{MaxList: 10}); !rep.Clean() {
		t.Fatalf("audit: %v", rep.Listed)
	}
}

// TestDraftOrderPaid: a draft edited then checked out charges exactly its
// last quote, and once paid grants each item its own credits with its own
// expiry, on one invoice with a line per item; a removed item is neither
// charged nor granted.
func TestDraftOrderPaid(t *testing.T) {
	t.Parallel()
	month := t0.AddDate(0, 1, 0)
	type want struct {
		kind    domain.OrderItemKind
		credits int64
		expires *time.Time // nil: never
		grant   domain.GrantKind
	}
	tests := []struct {
		name       string
		subscribed bool
		items      func(s *shop, p plans, addon domain.Pack) []domain.OrderItemInput
		// edit changes the draft before checkout (nil: none).
		edit  func(t *testing.T, s *shop, d domain.Order) domain.Order
		total int64
		want  []want
	}{
		{name: "plan with its add-on and a pack", items: func(s *shop, p plans, addon domain.Pack) []domain.OrderItemInput {
			return []domain.OrderItemInput{
				{Kind: domain.ItemPlan, PlanID: p.team.ID, Seats: 1},
				{Kind: domain.ItemPack, PackID: addon.ID, Quantity: 1, TermMonths: 3},
				{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 2},
			}
		},
			// (1900 + 3 × 1200 + 2 × 2500) × 1.19
			total: 12495,
			want: []want{
				{domain.ItemPlan, 5_000_000, &month, domain.GrantSubscription},
				{domain.ItemPack, 5000, &month, domain.GrantPurchased},
				{domain.ItemPack, 14_000_000, nil, domain.GrantPurchased},
			}},
		{name: "a removed item is not charged", items: func(s *shop, _ plans, _ domain.Pack) []domain.OrderItemInput {
			return []domain.OrderItemInput{
				{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1},
				{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 3},
			}
		}, edit: func(t *testing.T, s *shop, d domain.Order) domain.Order {
			d, err := s.svc.RemoveOrderItem(s.owner, d.ID, d.Items[1].ID)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}, total: 2975, want: []want{{domain.ItemPack, 7_000_000, nil, domain.GrantPurchased}}},
		{name: "quantity changed", items: func(s *shop, _ plans, _ domain.Pack) []domain.OrderItemInput {
			return []domain.OrderItemInput{{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1}}
		}, edit: func(t *testing.T, s *shop, d domain.Order) domain.Order {
			d, err := s.svc.SetOrderItemQuantity(s.owner, d.ID, d.Items[0].ID, 2)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}, total: 5950, want: []want{{domain.ItemPack, 14_000_000, nil, domain.GrantPurchased}}},
		{name: "subscribed: seats, an add-on and extra credits", subscribed: true,
			items: func(s *shop, _ plans, addon domain.Pack) []domain.OrderItemInput {
				return []domain.OrderItemInput{
					{Kind: domain.ItemSeats, Seats: 2},
					{Kind: domain.ItemPack, PackID: addon.ID, Quantity: 1},
					{Kind: domain.ItemExtraCredits, Credits: 100_000},
				}
			},
			// on day 10 of 31: 2 seats × 1900 × 22/31 = 2 × 1348; 3 × 1200; 38; × 1.19
			total: 7537,
			want: []want{
				{domain.ItemSeats, 2 * 5_000_000 * 22 / 31, &month, domain.GrantSubscription},
				{domain.ItemPack, 5000, &month, domain.GrantPurchased},
				{domain.ItemExtraCredits, 100_000, &month, domain.GrantPurchased},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				p := s.loadPlans(t)
				addon := s.loadAddon(t)
				if tc.subscribed {
					s.subscribeTo(t, p.team)
					s.clock.Set(t0.Add(9 * 24 * time.Hour))
				}
				dr := s.draft(t, tc.items(s, p, addon)...)
				if tc.edit != nil {
					dr = tc.edit(t, s, dr)
				}
				if dr.Total.AmountMinor != tc.total {
					t.Fatalf("draft total %d, want %d (lines %+v)", dr.Total.AmountMinor, tc.total, dr.Lines)
				}
				before := s.checkInvariants(t).Total
				co, err := s.checkout(dr, dr.Version, "checkout")
				if err != nil {
					t.Fatal(err)
				}
				o := s.order(t, co.Order.ID)
				reqs := s.gw.Requests()
				if o.Status != domain.OrderPaid || o.Total != dr.Total || reqs[len(reqs)-1].Amount != dr.Total || o.Number == "" {
					t.Fatalf("order %s %s %v, charged %v; draft total %v", o.Number, o.Status, o.Total, reqs[len(reqs)-1].Amount, dr.Total)
				}
				if len(o.Items) != len(tc.want) || len(o.Lines) != len(tc.want) {
					t.Fatalf("items %+v, lines %+v", o.Items, o.Lines)
				}
				var granted int64
				for i, w := range tc.want {
					it := o.Items[i]
					if it.Kind != w.kind || it.Credits != w.credits || o.Lines[i].ItemID != it.ID {
						t.Fatalf("item %d = %+v (line %+v), want %+v", i, it, o.Lines[i], w)
					}
					g := s.grantByID(t, it.GrantID)
					if g.Amount != w.credits || g.Kind != w.grant || g.OrderID != o.ID || (g.ExpiresAt == nil) != (w.expires == nil) ||
						(w.expires != nil && !g.ExpiresAt.Equal(*w.expires)) {
						t.Fatalf("item %d's grant %+v, want %+v", i, g, w)
					}
					granted += w.credits
				}
				if o.Credits != granted {
					t.Fatalf("order credits %d, items %d", o.Credits, granted)
				}
				inv, err := s.svc.Invoices(s.owner, s.org.ID, domain.Page{})
				if err != nil {
					t.Fatal(err)
				}
				last := inv.Edges[0].Node
				if last.OrderID != o.ID || len(last.Lines) != len(tc.want) || last.Total != o.Total || last.Tax != o.Tax {
					t.Fatalf("invoice %+v", last)
				}
				s.balanceIs(t, before+granted)
				if _, err := s.svc.Order(s.owner, dr.ID); err != nil {
					t.Fatal(err)
				}
				auditClean(t, d)
			})
		})
	}
}

// TestDraftOrderRules: the refusals of drafts and checkout, each changing
// nothing.
func TestDraftOrderRules(t *testing.T) {
	t.Parallel()
	pack := func(s *shop, q int) domain.OrderItemInput {
		return domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: q}
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s *shop, p plans) error
		// code and field of the refusal.
		check func(error) bool
	}{
		{"stale version", func(t *testing.T, s *shop, _ plans) error {
			d := s.draft(t, pack(s, 1))
			if _, err := s.svc.AddOrderItem(s.owner, d.ID, pack(s, 2)); err != nil {
				t.Fatal(err)
			}
			_, err := s.checkout(d, d.Version, "k")
			return err
		}, func(err error) bool { return conflictOn(err, "version") }},
		{"edit after checkout", func(t *testing.T, s *shop, _ plans) error {
			d := s.draft(t, pack(s, 1))
			co, err := s.checkout(d, d.Version, "k")
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.svc.SetOrderItemQuantity(s.owner, d.ID, d.Items[0].ID, 5)
			if o := s.order(t, d.ID); o.Total != co.Order.Total || o.Lines[0].Quantity != 1 {
				t.Fatalf("an edit after checkout changed the order: %+v", o)
			}
			return err
		}, func(err error) bool { return conflictOn(err, "orderId") }},
		{"second checkout of one draft", func(t *testing.T, s *shop, _ plans) error {
			d := s.draft(t, pack(s, 1))
			if _, err := s.checkout(d, d.Version, "k1"); err != nil {
				t.Fatal(err)
			}
			_, err := s.checkout(d, d.Version, "k2")
			return err
		}, func(err error) bool { return conflictOn(err, "orderId") }},
		{"too many items", func(t *testing.T, s *shop, _ plans) error {
			items := make([]domain.OrderItemInput, domain.MaxOrderItems+1)
			for i := range items {
				items[i] = pack(s, 1)
			}
			_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: items})
			return err
		}, func(err error) bool { return invalidOn(err, "items") }},
		{"too many drafts", func(t *testing.T, s *shop, _ plans) error {
			for range domain.MaxOpenDrafts {
				s.draft(t, pack(s, 1))
			}
			_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: []domain.OrderItemInput{pack(s, 1)}})
			return err
		}, func(err error) bool { return conflictOn(err, "") }},
		{"quantity above the maximum", func(t *testing.T, s *shop, _ plans) error {
			_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: []domain.OrderItemInput{pack(s, 1), pack(s, 101)}})
			return err
		}, func(err error) bool { return invalidOn(err, "items[1].quantity") }},
		{"quantity zero", func(t *testing.T, s *shop, _ plans) error {
			d := s.draft(t, pack(s, 1))
			_, err := s.svc.SetOrderItemQuantity(s.owner, d.ID, d.Items[0].ID, 0)
			return err
		}, func(err error) bool { return invalidOn(err, "quantity") }},
		{"two plans", func(t *testing.T, s *shop, p plans) error {
			_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: []domain.OrderItemInput{
				{Kind: domain.ItemPlan, PlanID: p.team.ID, Seats: 1}, {Kind: domain.ItemPlan, PlanID: p.personal.ID, Seats: 1}}})
			return err
		}, func(err error) bool { return invalidOn(err, "items[1].kind") }},
		{"plan while subscribed", func(t *testing.T, s *shop, p plans) error {
			s.subscribeTo(t, p.team)
			_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: []domain.OrderItemInput{
				{Kind: domain.ItemPlan, PlanID: p.personal.ID, Seats: 1}}})
			return err
		}, func(err error) bool { return conflictOn(err, "items[0].planId") }},
		{"add-on without a subscription or plan", func(t *testing.T, s *shop, _ plans) error {
			addon := s.loadAddon(t)
			_, err := s.svc.CreateDraftOrder(s.owner, domain.CreateOrderInput{OrgID: s.org.ID, Items: []domain.OrderItemInput{
				{Kind: domain.ItemPack, PackID: addon.ID, Quantity: 1}}})
			return err
		}, func(err error) bool { return invalidOn(err, "items[0].packId") }},
		{"empty draft", func(t *testing.T, s *shop, _ plans) error {
			d := s.draft(t, pack(s, 1))
			d, err := s.svc.RemoveOrderItem(s.owner, d.ID, d.Items[0].ID)
			if err != nil || d.Total.AmountMinor != 0 {
				t.Fatalf("%+v, %v", d, err)
			}
			_, err = s.checkout(d, d.Version, "k")
			return err
		}, func(err error) bool { return invalidOn(err, "orderId") }},
		{"unknown item", func(t *testing.T, s *shop, _ plans) error {
			d := s.draft(t, pack(s, 1))
			_, err := s.svc.RemoveOrderItem(s.owner, d.ID, "nope")
			return err
		}, func(err error) bool { return codeOf(err) == domain.CodeNotFound }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				p := s.loadPlans(t)
				if err := tc.run(t, s, p); !tc.check(err) {
					t.Fatalf("got %v", err)
				}
				auditClean(t, d)
			})
		})
	}
}

// TestDraftCancelAndDiscard: cancelOrder discards a draft; the drafts
// sweep discards those untouched for the TTL and keeps the others.
func TestDraftCancelAndDiscard(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		item := domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1}
		a, b := s.draft(t, item), s.draft(t, item)
		o, err := s.svc.CancelOrder(s.owner, a.ID)
		if err != nil || o.Status != domain.OrderCanceled {
			t.Fatalf("cancel: %+v, %v", o, err)
		}
		if _, err := s.svc.Order(s.owner, a.ID); codeOf(err) != domain.CodeNotFound {
			t.Fatalf("canceled draft: %v", err)
		}
		s.clock.Set(t0.Add(domain.DefaultDraftTTL - time.Hour))
		c := s.draft(t, item)
		s.clock.Set(t0.Add(domain.DefaultDraftTTL + time.Minute))
		if n, err := s.svc.DiscardStaleDrafts(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("discarded %d, %v", n, err)
		}
		if _, err := s.svc.Order(s.owner, b.ID); codeOf(err) != domain.CodeNotFound {
			t.Fatalf("stale draft kept: %v", err)
		}
		list, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{Statuses: []domain.OrderStatus{domain.OrderDraft}}, domain.Page{})
		if err != nil || len(list.Edges) != 1 || list.Edges[0].Node.ID != c.ID {
			t.Fatalf("drafts %+v, %v", list.Edges, err)
		}
	})
}

// TestDraftEditRacesCheckout: edits race a checkout of the version the
// buyer saw. Either the checkout wins and charges exactly that version's
// total (every edit then answers CONFLICT), or an edit wins and the
// checkout answers CONFLICT; a checkout of the final version then charges
// its total, and a removed item is never charged nor granted.
func TestDraftEditRacesCheckout(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		for i := range 6 {
			dr := s.draft(t, domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1},
				domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 2})
			removed := dr.Items[1].ID
			var (
				wg      sync.WaitGroup
				co      domain.Checkout
				coErr   error
				editsOK int
				mu      sync.Mutex
			)
			wg.Add(3)
			go func() {
				defer wg.Done()
				co, coErr = s.checkout(dr, dr.Version, fmt.Sprint("race-", i))
			}()
			edit := func(f func() (domain.Order, error)) {
				defer wg.Done()
				_, err := f()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					editsOK++
				case !conflictOn(err, "") && codeOf(err) != domain.CodeNotFound:
					t.Errorf("edit: %v", err)
				}
			}
			go edit(func() (domain.Order, error) { return s.svc.RemoveOrderItem(s.owner, dr.ID, removed) })
			go edit(func() (domain.Order, error) {
				return s.svc.SetOrderItemQuantity(s.owner, dr.ID, dr.Items[0].ID, int64(3+i))
			})
			wg.Wait()
			switch {
			case coErr == nil:
				if editsOK != 0 {
					t.Fatalf("round %d: checkout won but %d edits succeeded", i, editsOK)
				}
				reqs := s.gw.Requests()
				if o := s.order(t, co.Order.ID); o.Total != dr.Total || reqs[len(reqs)-1].Amount != dr.Total || len(o.Items) != 2 {
					t.Fatalf("round %d: charged %v for order %+v, quote %v", i, reqs[len(reqs)-1].Amount, o, dr.Total)
				}
			case conflictOn(coErr, ""):
				if editsOK == 0 {
					t.Fatalf("round %d: checkout refused though no edit succeeded", i)
				}
				final := s.order(t, dr.ID)
				co, err := s.checkout(final, final.Version, fmt.Sprint("final-", i))
				if err != nil {
					t.Fatal(err)
				}
				reqs := s.gw.Requests()
				o := s.order(t, co.Order.ID)
				if o.Total != final.Total || reqs[len(reqs)-1].Amount != final.Total {
					t.Fatalf("round %d: charged %v, final draft %v", i, reqs[len(reqs)-1].Amount, final.Total)
				}
				for _, it := range o.Items {
					if it.ID == removed && len(final.Items) != 2 {
						t.Fatalf("round %d: removed item on the order", i)
					}
				}
				inv, err := s.svc.Invoices(s.owner, s.org.ID, domain.Page{})
				if err != nil || inv.Edges[0].Node.OrderID != o.ID || len(inv.Edges[0].Node.Lines) != len(final.Items) {
					t.Fatalf("round %d: invoice %+v, %v", i, inv.Edges[0].Node, err)
				}
			default:
				t.Fatalf("round %d: checkout: %v", i, coErr)
			}
		}
		auditClean(t, d)
	})
}

// TestRefundOrderWithItems: a refund takes back each item's share of the
// refunded amount from the item's own grant; a full refund takes what is
// left, never more.
func TestRefundOrderWithItems(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		dr := s.draft(t, domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1},
			domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 3})
		co, err := s.checkout(dr, dr.Version, "buy")
		if err != nil {
			t.Fatal(err)
		}
		o := s.order(t, co.Order.ID)
		total := o.Total.AmountMinor // 4 × 2500 × 1.19 = 11900
		half := total / 2
		r, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: o.ID, Amount: &half, IdempotencyKey: "half"})
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{7_000_000 - 7_000_000*half/total, 21_000_000 - 21_000_000*half/total}
		for i, it := range o.Items {
			if g := s.grantByID(t, it.GrantID); g.Remaining != want[i] {
				t.Fatalf("after half: item %d's grant has %d left, want %d", i, g.Remaining, want[i])
			}
		}
		if r.CreditsRemoved != 28_000_000-want[0]-want[1] || r.CreditsNotRecovered != 0 || r.Order.Status != domain.OrderPartiallyRefunded {
			t.Fatalf("half refund %+v", r)
		}
		// Spend some of what is left: the rest of the refund takes back
		// only what remains.
		if _, err := s.svc.Consume(s.owner, domain.ConsumeInput{OrgID: s.org.ID, Amount: 10_000_000, IdempotencyKey: "spend"}); err != nil {
			t.Fatal(err)
		}
		r, err = s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: o.ID, IdempotencyKey: "rest"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Order.Status != domain.OrderRefunded || r.CreditsRemoved+r.CreditsNotRecovered != 28_000_000-(28_000_000-want[0]-want[1]) {
			t.Fatalf("full refund %+v", r)
		}
		for i, it := range o.Items {
			if g := s.grantByID(t, it.GrantID); g.Remaining != 0 {
				t.Fatalf("item %d's grant has %d left after a full refund", i, g.Remaining)
			}
		}
		s.balanceIs(t, 0)
		auditClean(t, d)
	})
}

// TestAuditOrderItems: the audit checks an order with items per item: an
// item of a paid order whose grant is unlinked is one ORDER_GRANT
// discrepancy naming the order.
func TestAuditOrderItems(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		dr := s.draft(t, domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 1},
			domain.OrderItemInput{Kind: domain.ItemPack, PackID: s.pack.ID, Quantity: 2})
		co, err := s.checkout(dr, dr.Version, "buy")
		if err != nil {
			t.Fatal(err)
		}
		auditClean(t, d)
		o := s.order(t, co.Order.ID)
		exec(t, d, fmt.Sprintf("UPDATE grants SET order_id = NULL, order_item = NULL WHERE id = '%s'", o.Items[1].GrantID))
		rep := audit(t, d, db.AuditOptions{MaxList: 10})
		if rep.Found[domain.AuditOrderGrant] != 1 || rep.Total() != 1 || !hasAll(rep.Listed[0].Refs, []string{"orders:" + o.ID}) {
			t.Fatalf("found %v: %v", rep.Found, rep.Listed)
		}
	})
}
