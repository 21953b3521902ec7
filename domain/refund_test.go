package domain_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

func TestRefundOrderClawsBackUnspentShare(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "k")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := consume(s.owner, s.fixture, 6_000_000, "spend"); err != nil {
			t.Fatal(err)
		}
		half := int64(1488) // of 29.75
		in := domain.RefundInput{OrderID: co.Order.ID, Amount: &half, Reason: "goodwill", IdempotencyKey: "r1"}
		if _, err := s.svc.RefundOrder(s.owner, in); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("refund by the owner = %v, want FORBIDDEN (platform admins only)", err)
		}
		res, err := s.svc.RefundOrder(s.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		// 1488/2975 of 7,000,000 = 3,501,176 credits; 1,000,000 are left.
		if res.CreditsRemoved != 1_000_000 || res.CreditsNotRecovered != 2_501_176 || res.Order.Status != domain.OrderPartiallyRefunded {
			t.Fatalf("refund = removed %d, not recovered %d, %s", res.CreditsRemoved, res.CreditsNotRecovered, res.Order.Status)
		}
		again, err := s.svc.RefundOrder(s.admin, in)
		if err != nil || again.CreditsRemoved != res.CreditsRemoved || again.Order.Refunded != half {
			t.Fatalf("repeated refund = %+v, %v; want the first result", again, err)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance after refund %d, want 0", b.Total)
		}
		// The gateway's webhook for the same refund changes nothing.
		if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("evt_r", domain.EventPaymentRefunded, res.Order.PaymentID, half)); err != nil {
			t.Fatal(err)
		}
		if o := s.order(t, co.Order.ID); o.Refunded != half || o.Status != domain.OrderPartiallyRefunded {
			t.Fatalf("after the webhook refunded %d %s", o.Refunded, o.Status)
		}
		over := int64(2000)
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: &over, IdempotencyKey: "r2"}); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("refunding more than is left = %v, want INVALID_INPUT", err)
		}
		inv, _ := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if inv.Status != domain.InvoicePartiallyRefunded || inv.Refunded != half {
			t.Fatalf("invoice %s refunded %d", inv.Status, inv.Refunded)
		}
	})
}

// TestRefundFailures covers a refund's failure paths: bad input and an
// unpaid order change nothing; a gateway outage changes nothing and leaves
// the key usable; the same key sent concurrently refunds once and answers
// alike; two refunds of the rest at once refund it once.
func TestRefundFailures(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "paid")
		if err != nil {
			t.Fatal(err)
		}
		s.gw.Next(scripted.Pending)
		unpaid, err := s.buy(s.owner, "unpaid")
		if err != nil {
			t.Fatal(err)
		}
		amt := func(v int64) *int64 { return &v }
		bad := []struct {
			name string
			in   domain.RefundInput
			code domain.Code
		}{
			{"zero", domain.RefundInput{OrderID: co.Order.ID, Amount: amt(0), IdempotencyKey: "b1"}, domain.CodeInvalidInput},
			{"negative", domain.RefundInput{OrderID: co.Order.ID, Amount: amt(-1), IdempotencyKey: "b2"}, domain.CodeInvalidInput},
			{"over", domain.RefundInput{OrderID: co.Order.ID, Amount: amt(2976), IdempotencyKey: "b3"}, domain.CodeInvalidInput},
			{"no key", domain.RefundInput{OrderID: co.Order.ID}, domain.CodeInvalidInput},
			{"unknown order", domain.RefundInput{OrderID: "01900000-0000-7000-8000-000000000000", IdempotencyKey: "b4"}, domain.CodeNotFound},
			{"unpaid order", domain.RefundInput{OrderID: unpaid.Order.ID, IdempotencyKey: "b5"}, domain.CodeConflict},
		}
		for _, tc := range bad {
			if _, err := s.svc.RefundOrder(s.admin, tc.in); codeOf(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		s.gw.Outage(true)
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: amt(1000), IdempotencyKey: "r"}); codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("refund during an outage = %v, want GATEWAY_UNAVAILABLE", err)
		}
		s.gw.Outage(false)
		if o := s.order(t, co.Order.ID); o.Refunded != 0 || o.Status != domain.OrderPaid || s.gw.Refunds() != 0 {
			t.Fatalf("refused refunds changed the order: refunded %d, %s, %d gateway refunds", o.Refunded, o.Status, s.gw.Refunds())
		}
		if b := s.checkInvariants(t); b.Total != 7_000_000 {
			t.Fatalf("refused refunds moved credits: %d", b.Total)
		}

		// The same key, 10 times at once: one refund, one answer.
		var wg sync.WaitGroup
		results := make(chan domain.RefundResult, 10)
		for range 10 {
			wg.Go(func() {
				r, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: amt(1000), IdempotencyKey: "r"})
				if err != nil {
					t.Errorf("concurrent same-key refund: %v", err)
					return
				}
				results <- r
			})
		}
		wg.Wait()
		close(results)
		for r := range results {
			if r.CreditsRemoved != 2_352_941 || r.Order.Refunded != 1000 {
				t.Errorf("same-key refund answered removed %d refunded %d, want 2352941 and 1000", r.CreditsRemoved, r.Order.Refunded)
			}
		}
		if s.gw.Refunds() != 1 {
			t.Fatalf("%d gateway refunds for one key, want 1", s.gw.Refunds())
		}

		// Two refunds of the rest under different keys: one is made; the other
		// is refused by the gateway (both read the order before either
		// committed) or by the order itself (it started after the first
		// committed: a REFUNDED order takes no refund).
		codes := make(chan domain.Code, 2)
		for _, key := range []string{"rest-a", "rest-b"} {
			wg.Go(func() {
				_, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, IdempotencyKey: key})
				codes <- codeOf(err)
			})
		}
		wg.Wait()
		close(codes)
		var ok, refused int
		for c := range codes {
			switch c {
			case "":
				ok++
			case domain.CodeInvalidInput, domain.CodeConflict:
				refused++
			default:
				t.Errorf("competing refund: %s", c)
			}
		}
		o := s.order(t, co.Order.ID)
		if ok != 1 || refused != 1 || o.Refunded != 2975 || o.Status != domain.OrderRefunded || s.gw.Refunds() != 2 {
			t.Fatalf("two refunds of the rest: %d ok, %d refused; order refunded %d %s; %d gateway refunds", ok, refused, o.Refunded, o.Status, s.gw.Refunds())
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance after the full refund %d, want 0", b.Total)
		}
	})
}
