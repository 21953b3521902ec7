package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// RefundResult says what a refund did to the order's credits.
type RefundResult struct {
	Order Order
	// CreditsRemoved were taken back from the order's unspent credits.
	CreditsRemoved int64
	// CreditsNotRecovered is the refunded share already spent or expired,
	// which could not be taken back.
	CreditsNotRecovered int64
}

// refundCredits records that refunded (cumulative, minor units) of the
// order's total has been given back: it takes the refunded share of the
// order's credits from what is left of its grant (REFUND ledger entry),
// moves the order to (PARTIALLY_)REFUNDED, issues a credit note against
// its invoice for the amount newly refunded (reason says why; "" for a
// refund the gateway reported), records ORDER_REFUNDED and
// CREDIT_NOTE_ISSUED in the caller's transaction (refundEventsTx), and returns the balance version after the
// change (0 if no credits moved) and the credits it could not take back.
//
// The share of one refund is the share of the cumulative refunded total
// less that of the total refunded before, so the shares of all refunds of
// an order add up to its credits once it is fully refunded: what each
// refund took back and could not take back (spent or expired) together
// account for every credit the order granted. A full refund takes back
// whatever is left of the grant.
func (s *Service) refundCredits(ctx context.Context, tx Store, o *Order, refunded int64, reason string, now time.Time) (int64, RefundResult, error) {
	total := o.Total.AmountMinor
	full := refunded >= total
	share := mulDiv(o.Credits, min(refunded, total), total) - mulDiv(o.Credits, min(o.Refunded, total), total)
	take := share
	if full {
		take = o.Credits // everything still attributable to the order
	}
	var removed int64
	var version int64
	var notRecovered int64
	if o.Items != nil {
		v, r, err := s.refundItems(ctx, tx, o, refunded, full)
		if err != nil {
			return 0, RefundResult{}, err
		}
		version, removed, notRecovered = v, r.removed, r.notRecovered
	}
	if o.Items == nil {
		res, err := s.applyCreditsTx(ctx, tx, o.OrgID,
			func(b *Balance, open []Grant, _ time.Time) (change, error) {
				for _, g := range open {
					if g.ID != o.GrantID {
						continue
					}
					removed = min(g.Remaining, take)
					if removed == 0 {
						return change{}, nil
					}
					g.Remaining -= removed
					return change{
						touched: []Grant{g},
						entries: []LedgerEntry{{
							Kind: EntryRefund, Amount: -removed, Reason: "refund of order " + o.Number,
							Allocations: []Allocation{{GrantID: g.ID, Amount: -removed}},
							Metadata:    orderMetadata(o), ActorKind: ActorSystem,
						}},
					}, nil
				}
				return change{}, nil
			})
		if err != nil {
			return 0, RefundResult{}, err
		}
		notRecovered = max(share-removed, 0)
		if removed > 0 {
			version = res.Balance.Version
		}
	}
	amount := refunded - o.Refunded
	o.Refunded = refunded
	status := OrderPartiallyRefunded
	if full {
		status = OrderRefunded
	}
	if o.Status.CanMove(status) {
		o.Status = status
	}
	if full && ((o.Validity == ValidityRecurring && o.Subscription == nil) || o.hasAddonItem()) {
		// A refunded add-on grants nothing more.
		if err := s.endAddonOfOrderTx(ctx, tx, *o, now); err != nil {
			return 0, RefundResult{}, err
		}
	}
	// The invoice stays as issued; what it gave back since is a credit note.
	var note *CreditNote
	inv, err := tx.InvoiceByOrder(ctx, o.ID)
	if err == nil && refunded > inv.Refunded {
		var cn CreditNote
		if cn, err = s.issueCreditNote(ctx, tx, *o, inv, refunded-inv.Refunded, reason, now); err == nil {
			note = &cn
		}
	}
	if err != nil && !IsCode(err, CodeNotFound) {
		return 0, RefundResult{}, err
	}
	if err := s.refundEventsTx(ctx, tx, *o, amount, removed, notRecovered, note, now); err != nil {
		return 0, RefundResult{}, err
	}
	return version, RefundResult{CreditsRemoved: removed, CreditsNotRecovered: notRecovered}, nil
}

// mulDiv returns a*b/c rounded down, without overflowing for credit and
// minor-unit magnitudes.
func mulDiv(a, b, c int64) int64 {
	if c == 0 {
		return 0
	}
	q, r := a/c, a%c
	return q*b + r*b/c
}

// RefundInput asks for money back on a paid order (platform admins only).
type RefundInput struct {
	OrderID string
	// Amount in the order's currency; nil refunds everything not yet refunded.
	Amount         *int64
	Reason         string
	IdempotencyKey string
}

// RefundOrder refunds all or part of a paid order through its gateway and
// takes back the refunded share of the order's credits that are still
// unspent. Repeating the key with the same input returns the first result.
// Codes: UNAUTHENTICATED, FORBIDDEN (not a platform admin), NOT_FOUND,
// INVALID_INPUT (amount not in 1..refundable), CONFLICT (key reused,
// order not paid), PAYMENT_FAILED, GATEWAY_UNAVAILABLE.
func (s *Service) RefundOrder(ctx context.Context, in RefundInput) (RefundResult, error) {
	if _, err := requirePlatformAdmin(ctx); err != nil {
		return RefundResult{}, err
	}
	if err := validateKey(in.IdempotencyKey); err != nil {
		return RefundResult{}, err
	}
	reason, err := validateReason(in.Reason)
	if err != nil {
		return RefundResult{}, err
	}
	if !ValidID(in.OrderID) {
		return RefundResult{}, NotFound("order")
	}
	o, err := s.store.OrderByID(ctx, in.OrderID)
	if err != nil {
		return RefundResult{}, asDomainError(err)
	}
	amountKey := "all"
	if in.Amount != nil {
		amountKey = fmt.Sprint(*in.Amount)
	}
	k := idemKey{orgID: o.OrgID, key: in.IdempotencyKey, op: "refundOrder", hash: requestHash("refundOrder", o.ID, amountKey, reason)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (RefundResult, error) {
		return s.replayRefund(ctx, rec, o.ID)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (RefundResult, error) {
		return s.refundOrder(ctx, o, in.Amount, reason, in.IdempotencyKey, record)
	})
}

// replayRefund answers a repeated refundOrder key for order orderID (the
// key's request hash covers it): the recorded credits and the order as it
// is now.
func (s *Service) replayRefund(ctx context.Context, rec IdempotencyRecord, orderID string) (RefundResult, error) {
	var r RefundResult
	if err := json.Unmarshal(rec.Response, &r); err != nil {
		return RefundResult{}, Internal(err)
	}
	cur, err := s.store.OrderByID(ctx, orderID)
	if err != nil {
		return RefundResult{}, asDomainError(err)
	}
	r.Order = cur
	return r, nil
}

// refundOrder is RefundOrder's first run for its key: it refunds amount
// (nil: all that is left) of o through its gateway, then records the
// refund, and the key, in one transaction.
func (s *Service) refundOrder(ctx context.Context, o Order, amountIn *int64, reason, key string, record recordFunc) (RefundResult, error) {
	if o.Status != OrderPaid && o.Status != OrderPartiallyRefunded {
		return RefundResult{}, Errorf(CodeConflict, "order %s is %s: only paid orders can be refunded", o.Number, o.Status)
	}
	refundable := o.Total.AmountMinor - o.Refunded
	amount := refundable
	if amountIn != nil {
		amount = *amountIn
	}
	if amount < 1 || amount > refundable {
		return RefundResult{}, InvalidInput("amount", "must be between 1 and %s", Money{AmountMinor: refundable, Currency: o.Total.Currency}.Decimal())
	}
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return RefundResult{}, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	// The provider's key is derived from ours: a retry after a lost answer,
	// or a concurrent duplicate, refunds once at the provider too.
	if _, err := gw.RefundPayment(ctx, RefundRequest{
		PaymentID: o.PaymentID, Amount: Money{AmountMinor: amount, Currency: o.Total.Currency},
		Reason: reason, IdempotencyKey: "refund-" + o.ID + "-" + key,
	}); err != nil {
		return RefundResult{}, err
	}
	var (
		res       RefundResult
		changed   bool
		balanceAt int64
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		target := cur.Refunded + amount
		if target > cur.Total.AmountMinor || cur.Refunded > o.Refunded {
			// A webhook for this refund (or another) landed first: apply
			// the cumulative total the gateway has confirmed so far.
			target = min(max(cur.Refunded, o.Refunded+amount), cur.Total.AmountMinor)
		}
		if target > cur.Refunded {
			balanceAt, res, err = s.refundCredits(ctx, tx, &cur, target, reason, now)
			if err != nil {
				return err
			}
			cur.UpdatedAt = now
			cur.Version++
			if err := tx.UpdateOrder(ctx, cur); err != nil {
				return err
			}
			changed = true
		}
		res.Order = cur
		resp, err := json.Marshal(RefundResult{CreditsRemoved: res.CreditsRemoved, CreditsNotRecovered: res.CreditsNotRecovered})
		if err != nil {
			return Internal(err)
		}
		return record(ctx, tx, resp)
	})
	if err != nil {
		return RefundResult{}, asDomainError(err)
	}
	s.announce(ctx, res.Order, changed, balanceAt)
	return res, nil
}
