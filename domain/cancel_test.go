package domain_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

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
		s.gw.Next(scripted.Pending)
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
		if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("evt_late", domain.EventPaymentSucceeded, pid, 0)); err != nil {
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
