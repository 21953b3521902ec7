package domain_test

import (
	"fmt"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestRefundAccountsForEveryCredit: each refund says how many of the
// refunded share's credits it took back and how many it could not (spent
// already), and a full refund is no exception (issue 8: it said 0 not
// recovered when credits were spent). Over all refunds of an order, taken
// back plus not recovered is every credit the order granted.
func TestRefundAccountsForEveryCredit(t *testing.T) {
	t.Parallel()
	const credits = 7_000_000 // the pack, for 29.75 (2975 cents)
	half := int64(1488)       // 1488/2975 of 7,000,000 = 3,501,176 credits
	type refund struct {
		amount              *int64 // nil: everything left
		removed, notRecover int64
		status              domain.OrderStatus
	}
	tests := []struct {
		name string
		// spendBefore is spent before the first refund, spendBetween
		// between the first and the second.
		spendBefore, spendBetween int64
		refunds                   []refund
	}{
		{name: "full refund, nothing spent", refunds: []refund{
			{nil, credits, 0, domain.OrderRefunded}}},
		{name: "full refund, part spent", spendBefore: 6_000_000, refunds: []refund{
			{nil, 1_000_000, 6_000_000, domain.OrderRefunded}}},
		{name: "full refund, all spent", spendBefore: credits, refunds: []refund{
			{nil, 0, credits, domain.OrderRefunded}}},
		{name: "partial refund, nothing spent", refunds: []refund{
			{&half, 3_501_176, 0, domain.OrderPartiallyRefunded}}},
		{name: "partial refund, part spent", spendBefore: 6_000_000, refunds: []refund{
			{&half, 1_000_000, 2_501_176, domain.OrderPartiallyRefunded}}},
		{name: "partial then full, part spent first", spendBefore: 6_000_000, refunds: []refund{
			{&half, 1_000_000, 2_501_176, domain.OrderPartiallyRefunded},
			{nil, 0, 3_498_824, domain.OrderRefunded}}},
		{name: "partial then full, the rest spent in between", spendBetween: 3_498_824, refunds: []refund{
			{&half, 3_501_176, 0, domain.OrderPartiallyRefunded},
			{nil, 0, 3_498_824, domain.OrderRefunded}}},
		{name: "partial then full, nothing spent", refunds: []refund{
			{&half, 3_501_176, 0, domain.OrderPartiallyRefunded},
			{nil, 3_498_824, 0, domain.OrderRefunded}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				co, err := s.buy(s.owner, "k")
				if err != nil {
					t.Fatal(err)
				}
				spend := func(n int64, key string) {
					if n == 0 {
						return
					}
					if _, err := consume(s.owner, s.fixture, n, key); err != nil {
						t.Fatal(err)
					}
				}
				spend(tt.spendBefore, "before")
				var removed, notRecovered int64
				for i, r := range tt.refunds {
					if i == 1 {
						spend(tt.spendBetween, "between")
					}
					res, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: r.amount,
						Reason: "goodwill", IdempotencyKey: fmt.Sprint("r", i)})
					if err != nil {
						t.Fatalf("refund %d: %v", i+1, err)
					}
					if res.CreditsRemoved != r.removed || res.CreditsNotRecovered != r.notRecover || res.Order.Status != r.status {
						t.Errorf("refund %d = removed %d, not recovered %d, %s; want %d, %d, %s", i+1,
							res.CreditsRemoved, res.CreditsNotRecovered, res.Order.Status, r.removed, r.notRecover, r.status)
					}
					removed += res.CreditsRemoved
					notRecovered += res.CreditsNotRecovered
				}
				if last := tt.refunds[len(tt.refunds)-1]; last.amount == nil && removed+notRecovered != credits {
					t.Errorf("over all refunds removed %d + not recovered %d = %d, want the order's %d credits",
						removed, notRecovered, removed+notRecovered, credits)
				}
				if b := s.checkInvariants(t); b.Total != credits-tt.spendBefore-tt.spendBetween-removed {
					t.Errorf("balance %d after refunds", b.Total)
				}
			})
		})
	}
}
