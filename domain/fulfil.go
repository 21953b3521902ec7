package domain

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// errOrgDeleted is the cause of fulfil's refusal to grant credits to a
// CLOSED org (one its owner deleted, or dunning closed): the caller holds
// the order for review.
var errOrgDeleted = errors.New("the org was deleted")

// fulfil marks an order PAID, grants its credits with the pack's validity
// (the database refuses a second grant for one order) or, for a
// subscription order, applies it to the subscription and grants its
// included credits as SUBSCRIPTION credit until the next monthly reset
// (a renewal also renews and grants its add-ons, see addon.go), for a
// RECURRING pack records the add-on it bought, and issues its invoice with the next gap-free number of the year. Once all
// of that is done it records, in the same transaction, ORDER_PAID
// (orderPaidTx); for a renewal RENEWAL_PAID (and ORG_RESTORED first when
// it ended dunning, renewalPaidTx); and the subscription's event
// (paidSubscriptionEvent: SUBSCRIPTION_CREATED, or SUBSCRIPTION_CHANGED
// for a change or a renewal that applied a scheduled one). An order held
// for review records none of them (fulfil refuses before recording);
// money collected late for a FAILED or CANCELED order that fulfils it
// records ORDER_PAID after that order's ORDER_FAILED. It refuses, wrapping
// errOrgDeleted, when the org is CLOSED: money collected after the org's
// deletion (a late capture of a failed or canceled order) buys nothing and
// must be given back by an operator.
func (s *Service) fulfil(ctx context.Context, tx Store, o *Order, now time.Time) (int64, error) {
	o.Status, o.PaidAt, o.NextAction, o.FailureReason = OrderPaid, &now, nil, ""
	kind := GrantPurchased
	var exp *time.Time
	renewal := o.Subscription != nil && o.Subscription.Action == ActionRenew
	var (
		was Org
		sev *subEvent
	)
	if renewal {
		var err error
		if was, err = tx.OrgByID(ctx, o.OrgID); err != nil {
			return 0, err
		}
	}
	if o.Items != nil {
		return s.fulfilWithItems(ctx, tx, o, now)
	}
	if o.Subscription != nil {
		reset, ev, err := s.applySubscriptionOrder(ctx, tx, o, now)
		if err != nil {
			return 0, err
		}
		kind, exp, sev = GrantSubscription, &reset, ev
	} else if o.Validity == ValidityRecurring {
		var err error
		if exp, err = s.createAddonTx(ctx, tx, o, now); err != nil {
			return 0, err
		}
	} else {
		var err error
		if exp, err = s.packExpiry(ctx, tx, o.OrgID, o.Validity, now); err != nil {
			return 0, err
		}
		if o.AutoRecharge != "" {
			kind = GrantAutoRecharge
		}
	}
	o.ExpiresAt = exp
	res, err := s.applyCreditsTx(ctx, tx, o.OrgID,
		func(b *Balance, _ []Grant, now time.Time) (change, error) {
			if b.OrgStatus == OrgClosed { // read under the org's lock, after any deletion
				return change{}, Internal(errOrgDeleted)
			}
			if o.Credits == 0 { // a change that adds no included credits
				return change{}, nil
			}
			ch := grantChange(o.OrgID, kind, o.Credits, exp, o.ID, "order "+o.Number, Actor{}, now)
			ch.entries[0].Metadata = orderMetadata(o)
			return ch, nil
		})
	if err != nil {
		return 0, err
	}
	if o.Credits > 0 {
		o.GrantID = res.Entry.Allocations[0].GrantID
	}
	if err := s.recordExtraCreditsTx(ctx, tx, o, now); err != nil {
		return 0, err
	}
	inv, err := s.issueInvoice(ctx, tx, *o, now)
	if err != nil {
		return 0, err
	}
	if err := s.orderPaidTx(ctx, tx, *o, inv, now); err != nil {
		return 0, err
	}
	if renewal {
		if err := s.renewalPaidTx(ctx, tx, *o, inv, was.Status, now); err != nil {
			return 0, err
		}
	}
	if sev != nil {
		if err := s.recordEventTx(ctx, tx, o.OrgID, sev.kind, sev.key, sev.detail, now); err != nil {
			return 0, err
		}
	}
	return res.Balance.Version, nil
}

// fulfilWithItems is fulfil of an order with items: one grant per item
// (fulfilItems), then the invoice, one line per item, and the events.
func (s *Service) fulfilWithItems(ctx context.Context, tx Store, o *Order, now time.Time) (int64, error) {
	v, sev, err := s.fulfilItems(ctx, tx, o, now)
	if err != nil {
		return 0, err
	}
	if err := s.recordExtraCreditsTx(ctx, tx, o, now); err != nil {
		return 0, err
	}
	if v == 0 { // nothing granted: the order still closes under the org's lock
		res, err := s.applyCreditsTx(ctx, tx, o.OrgID, func(b *Balance, _ []Grant, _ time.Time) (change, error) {
			if b.OrgStatus == OrgClosed {
				return change{}, Internal(errOrgDeleted)
			}
			return change{}, nil
		})
		if err != nil {
			return 0, err
		}
		v = res.Balance.Version
	}
	inv, err := s.issueInvoice(ctx, tx, *o, now)
	if err != nil {
		return 0, err
	}
	if err := s.orderPaidTx(ctx, tx, *o, inv, now); err != nil {
		return 0, err
	}
	if sev != nil {
		if err := s.recordEventTx(ctx, tx, o.OrgID, sev.kind, sev.key, sev.detail, now); err != nil {
			return 0, err
		}
	}
	return v, nil
}

// packExpiry is when the credits of a pack with validity v bought at now
// expire: never for NEVER; for BILLING_CYCLE and RECURRING at the next
// monthly reset of the org's subscription (the end of its billing cycle;
// on an annual plan, the next monthly reset), or a month after purchase
// for an org without one.
func (s *Service) packExpiry(ctx context.Context, tx SubscriptionStore, orgID string, v ValidityPolicy, now time.Time) (*time.Time, error) {
	if v == ValidityNever || v == "" {
		return nil, nil
	}
	sub, err := tx.LiveSubscription(ctx, orgID)
	if err != nil && !IsCode(err, CodeNotFound) {
		return nil, err
	}
	if err == nil && sub.Status != SubIncomplete && sub.NextResetAt.After(now) {
		t := sub.NextResetAt
		return &t, nil
	}
	return grantExpiry(v, now), nil
}

func orderMetadata(o *Order) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"orderId": o.ID, "orderNumber": o.Number})
	return b
}
