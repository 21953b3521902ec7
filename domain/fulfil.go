package domain

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// errOrgDeleted is the cause of fulfil's refusal to grant credits to a
// CLOSED org (one its owner deleted): the caller holds the order for review.
var errOrgDeleted = errors.New("the org was deleted")

// fulfil marks an order PAID, grants its credits with the pack's validity
// (the database refuses a second grant for one order) and issues its
// invoice with the next gap-free number of the year. It refuses, wrapping
// errOrgDeleted, when the org is CLOSED: money collected after the org's
// deletion (a late capture of a failed or canceled order) buys nothing and
// must be given back by an operator.
func (s *Service) fulfil(ctx context.Context, tx interface {
	LedgerStore
	invoicingStore
}, o *Order, now time.Time) (int64, error) {
	o.Status, o.PaidAt, o.NextAction, o.FailureReason = OrderPaid, &now, nil, ""
	exp := grantExpiry(o.Validity, now)
	o.ExpiresAt = exp
	res, err := s.applyCreditsTx(ctx, tx, o.OrgID,
		func(b *Balance, _ []Grant, now time.Time) (change, error) {
			if b.OrgStatus == OrgClosed { // read under the org's lock, after any deletion
				return change{}, Internal(errOrgDeleted)
			}
			ch := grantChange(o.OrgID, GrantPurchased, o.Credits, exp, o.ID, "order "+o.Number, Actor{}, now)
			ch.entries[0].Metadata = orderMetadata(o)
			return ch, nil
		})
	if err != nil {
		return 0, err
	}
	o.GrantID = res.Entry.Allocations[0].GrantID
	if err := s.issueInvoice(ctx, tx, *o, now); err != nil {
		return 0, err
	}
	return res.Balance.Version, nil
}

func orderMetadata(o *Order) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"orderId": o.ID, "orderNumber": o.Number})
	return b
}
