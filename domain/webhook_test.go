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
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

func TestSuccessWebhookFiftyTimesGrantsOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.Next(scripted.Pending)
		co, err := s.buy(s.owner, "k")
		if err != nil || co.Order.Status != domain.OrderPending || co.NextAction == nil {
			t.Fatalf("checkout = %+v, %v; want PENDING with a next action", co, err)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("credits before payment: %d", b.Total)
		}
		pid := s.order(t, co.Order.ID).PaymentID
		s.gw.Settle(pid, domain.PaymentSucceeded)
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Go(func() {
				errs <- s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("evt_1", domain.EventPaymentSucceeded, pid, 0))
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
			if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook(id, domain.EventPaymentSucceeded, pid, 0)); err != nil {
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
				s.gw.Next(scripted.Processing)
				co, err := s.buy(s.owner, "k")
				if err != nil {
					t.Fatal(err)
				}
				pid := s.order(t, co.Order.ID).PaymentID
				for i, e := range tc.events {
					if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook(fmt.Sprint("evt_", i), e.kind, pid, e.refunded)); err != nil {
						t.Fatalf("event %d: %v", i, err)
					}
				}
				s.paidOnce(t, co.Order, tc.status, tc.balance)
			})
		})
	}
}
