package domain_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

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
		if err != nil || again.Order.ID != o.ID || s.gw.Creates() != 1 {
			t.Fatalf("retry = %s, %v (%d payments); want the same order and one payment", again.Order.ID, err, s.gw.Creates())
		}
		_, err = s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 2, Installments: 1, IdempotencyKey: "k1"})
		if codeOf(err) != domain.CodeConflict {
			t.Fatalf("same key, other quantity = %v, want CONFLICT", err)
		}
	})
}

func TestDeclineFailsTheOrder(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.Next(scripted.Decline)
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodePaymentFailed {
			t.Fatalf("declined purchase = %v, want PAYMENT_FAILED", err)
		}
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodePaymentFailed || s.gw.Creates() != 1 {
			t.Fatalf("retried declined purchase = %v (%d payments), want the same PAYMENT_FAILED and no new payment", err, s.gw.Creates())
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
		if err != nil || len(orders.Edges) != 1 || s.gw.Creates() != 1 {
			t.Fatalf("%d orders and %d payments, want 1 and 1 (%v)", len(orders.Edges), s.gw.Creates(), err)
		}
		s.paidOnce(t, orders.Edges[0].Node, domain.OrderPaid, 7_000_000)
	})
}
