package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

func TestGatewayOutageThenReconcile(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.Outage(true)
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
		s.gw.Outage(false)
		s.clock.Set(t0.Add(2 * time.Hour))
		rep, err = s.svc.Reconcile(context.Background(), time.Minute, 10)
		if err != nil || len(rep.Changed) != 1 || rep.Changed[0].To != domain.OrderPaid {
			t.Fatalf("reconcile after the outage = %+v, %v; want the order PAID", rep, err)
		}
		s.paidOnce(t, orders.Edges[0].Node, domain.OrderPaid, 7_000_000)
		if s.gw.Creates() != 1 {
			t.Fatalf("%d payments made, want 1", s.gw.Creates())
		}

		// Outage on capture: the order stays unpaid; reconciliation reads
		// the payment's state later.
		s.gw.Next(scripted.Pending)
		co, err := s.buy(s.owner, "k2")
		if err != nil {
			t.Fatal(err)
		}
		s.gw.Outage(true)
		if _, err := s.svc.ConfirmOrder(s.owner, co.Order.ID); codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("confirm during an outage = %v, want GATEWAY_UNAVAILABLE", err)
		}
		if o := s.order(t, co.Order.ID); o.Status != domain.OrderPending {
			t.Fatalf("after a failed capture the order is %s", o.Status)
		}
		s.gw.Outage(false)
		s.gw.Settle(s.order(t, co.Order.ID).PaymentID, domain.PaymentSucceeded)
		s.clock.Set(t0.Add(3 * time.Hour))
		if rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10); err != nil || len(rep.Changed) != 1 {
			t.Fatalf("reconcile = %+v, %v", rep, err)
		}
		if o := s.order(t, co.Order.ID); o.Status != domain.OrderPaid {
			t.Fatalf("after reconciliation the order is %s, want PAID", o.Status)
		}
	})
}
