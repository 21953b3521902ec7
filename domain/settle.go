package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// paymentUpdate is a gateway-reported state to apply to an order.
type paymentUpdate struct {
	status        PaymentStatus
	refunded      int64
	failureReason string
	paymentID     string
	nextAction    *NextAction
	// amount is what the gateway says the payment is for (collected, once
	// it succeeded); zero when it did not say.
	amount Money
	// method is how the gateway says the buyer pays; "" when it did not say.
	method PaymentMethodKind
}

func updateFromPayment(p Payment) paymentUpdate {
	return paymentUpdate{status: p.Status, refunded: p.Refunded, failureReason: p.FailureReason, paymentID: p.ID,
		nextAction: p.NextAction, amount: p.Amount, method: p.Method}
}

// settle applies a gateway-reported payment state to an order in one
// transaction and announces the change after commit: the status moves only
// along valid transitions, a payment collects credits exactly once
// (fulfilment grants the order's credits and issues its invoice), a failure
// after success is ignored, and a refund total beyond what was applied
// takes back the refunded share of the order's unspent credits.
//
// A success is accepted only for the order's total in the order's currency
// (when the gateway states the amount) and only while the order's credits
// fit under MaxCredits. Otherwise the money is real but cannot be
// accepted as it is: the order is not paid (no credits, no invoice), is
// marked for review (Order.Review) and PROCESSING (the buyer has nothing
// left to do), and an ERROR is logged with the order, expected and got.
// It stays in reconciliation, so a later matching report still pays it (a
// balance spent below the ceiling again, a provider correcting itself);
// otherwise an operator refunds the payment at the provider, and the
// report that all of it was refunded closes the order as CANCELED. Money
// is never silently kept without credits, and credits are never granted
// for an amount that was not collected.
func (s *Service) settle(ctx context.Context, orderID string, u paymentUpdate) (Order, error) {
	var (
		o               Order
		changed, failed bool
		balanceAt       int64
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		o, changed, failed, balanceAt, err = s.settleTx(ctx, tx, orderID, u)
		return err
	})
	if err != nil {
		return Order{}, asDomainError(err)
	}
	s.announce(ctx, o, changed, balanceAt)
	if changed && o.Subscription != nil {
		s.publish(ctx, Event{Kind: EventSubscription, OrgID: o.OrgID, RefID: o.Subscription.SubscriptionID})
	}
	if changed && o.AutoRecharge != "" {
		if o.Status == OrderPaid {
			// Still below the threshold after this top-up? Check again.
			s.checks.poke(o.OrgID, pokeRecharge)
		}
	}
	if failed && o.AutoRecharge == "" {
		s.countDecline(ctx, o.OrgID)
	}
	return o, nil
}

// settleTx is settle inside the caller's transaction, which it uses whole:
// settling an order moves its status, credits (fulfil, refundCredits) and
// documents (invoice, credit notes), and records the org events of what
// it did in the same transaction: ORDER_PAID (fulfil), ORDER_FAILED when
// the order became FAILED or CANCELED (orderFailedTx), ORDER_REFUNDED and
// CREDIT_NOTE_ISSUED (refundCredits), and those of renewals and
// automatic top-ups. A report that changes nothing records nothing, and
// each event's key names its transition, so a report delivered twice, or
// reconciliation racing a webhook, records each event once. It returns the order,
// whether it changed, whether it became FAILED (a declined payment), and
// the balance version when credits moved (0 when they did not).
func (s *Service) settleTx(ctx context.Context, tx Store, orderID string, u paymentUpdate) (o Order, changed, failed bool, balanceAt int64, err error) {
	o, err = tx.LockOrder(ctx, orderID)
	if err != nil {
		return Order{}, false, false, 0, err
	}
	before := o
	now := s.clock.Now()
	if u.paymentID != "" && o.PaymentID == "" {
		o.PaymentID = u.paymentID
	}
	if u.method != "" && o.Method == "" {
		o.Method = u.method
	}
	switch u.status {
	case PaymentSucceeded:
		if o.Status == OrderPaid || !o.Status.CanMove(OrderPaid) {
			break
		}
		if o.Review != "" && (o.Refunded > 0 || refundedAll(o, u)) {
			// Held money given back (an operator refunded it): nothing
			// to grant, now or on a late success report; the order is
			// closed, its review reason kept.
			if o.Status.CanMove(OrderCanceled) {
				o.Status, o.NextAction = OrderCanceled, nil
			}
			o.Refunded = max(o.Refunded, min(u.refunded, o.Total.AmountMinor))
			break
		}
		if u.amount != (Money{}) && u.amount != o.Total {
			s.log.ErrorContext(ctx, "payment collected an amount other than the order total: order not paid, held for review",
				"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
				"expected", o.Total.String(), "got", u.amount.String())
			holdForReview(&o, fmt.Sprintf("amount mismatch: the gateway reports %s collected for a total of %s", u.amount, o.Total))
			break
		}
		if o.RetryDraftID != "" {
			ok, err := s.reclaimCartTx(ctx, tx, o)
			if err != nil {
				return Order{}, false, false, 0, err
			}
			if !ok {
				s.log.ErrorContext(ctx, "payment collected for a checkout whose cart was given back and checked out again: order not paid, held for review",
					"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
					"retry_draft", o.RetryDraftID, "collected", o.Total.String())
				holdForReview(&o, "cart paid again: the payment was collected after the order's cart was given back and checked out again; give the money back")
				break
			}
		}
		paid := o
		v, err := s.fulfil(ctx, tx, &paid, now)
		if errors.Is(err, errCreditCeiling) {
			s.log.ErrorContext(ctx, "payment collected but its credits would take the balance over the limit: order not paid, held for review",
				"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
				"credits", o.Credits, "limit", MaxCredits, "collected", o.Total.String())
			holdForReview(&o, fmt.Sprintf("credit limit: the payment was collected but %d credits would take the balance over %d", o.Credits, MaxCredits))
			break
		}
		if errors.Is(err, errSubscriptionMoved) {
			s.log.ErrorContext(ctx, "payment collected for a subscription change that no longer applies: order not paid, held for review",
				"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
				"collected", o.Total.String())
			holdForReview(&o, "subscription moved on: the payment was collected for a subscription change that no longer applies; give the money back")
			break
		}
		if errors.Is(err, errOrgDeleted) {
			s.log.ErrorContext(ctx, "payment collected for an org that was deleted: order not paid, held for review",
				"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
				"collected", o.Total.String())
			holdForReview(&o, "org deleted: the payment was collected after the org's owner deleted it; give the money back")
			break
		}
		if err != nil {
			return Order{}, false, false, 0, err
		}
		o, balanceAt = paid, v
	case PaymentFailed:
		if o.Status.CanMove(OrderFailed) {
			o.Status, o.FailureReason, o.NextAction = OrderFailed, u.failureReason, nil
		}
	case PaymentCanceled:
		if o.Status.CanMove(OrderCanceled) {
			o.Status, o.NextAction = OrderCanceled, nil
		}
	case PaymentProcessing:
		if o.Status != OrderProcessing && o.Status.CanMove(OrderProcessing) {
			o.Status, o.NextAction = OrderProcessing, nil
		}
	case PaymentRequiresAction, PaymentPending:
		next := OrderPending
		if u.status == PaymentRequiresAction {
			next = OrderRequiresAction
		}
		if o.Status != next && o.Status.CanMove(next) {
			o.Status = next
		}
		if o.Status.Unpaid() && u.nextAction != nil {
			o.NextAction = u.nextAction
		}
	}
	if u.refunded > o.Refunded && (o.Status == OrderPaid || o.Status == OrderPartiallyRefunded) {
		v, _, err := s.refundCredits(ctx, tx, &o, min(u.refunded, o.Total.AmountMinor), "", now)
		if err != nil {
			return Order{}, false, false, 0, err
		}
		balanceAt = max(balanceAt, v)
	}
	if orderEqual(before, o) {
		return o, false, false, balanceAt, nil
	}
	if before.Status != o.Status && (o.Status == OrderFailed || o.Status == OrderCanceled) {
		if err := s.orderFailedTx(ctx, tx, o, now); err != nil {
			return Order{}, false, false, 0, err
		}
		if err := s.giveBackCartTx(ctx, tx, &o, now); err != nil {
			return Order{}, false, false, 0, err
		}
	}
	if o.Subscription != nil && o.Subscription.Action == ActionRenew && before.Status != o.Status &&
		(o.Status == OrderFailed || o.Status == OrderCanceled) {
		if err := s.renewalFailedTx(ctx, tx, o, now); err != nil {
			return Order{}, false, false, 0, err
		}
	}
	if o.AutoRecharge != "" && before.Status != o.Status {
		if err := s.autoRechargeSettledTx(ctx, tx, o, now); err != nil {
			return Order{}, false, false, 0, err
		}
	}
	o.UpdatedAt = now
	o.Version++
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return Order{}, false, false, 0, err
	}
	return o, true, before.Status != OrderFailed && o.Status == OrderFailed, balanceAt, nil
}

// holdForReview records why money a gateway reports collected was not
// accepted: the order stays unpaid, PROCESSING when it was waiting on the
// buyer (who has paid: no next action to show), with the reason in Review.
func holdForReview(o *Order, reason string) {
	o.Review = reason
	if o.Status != OrderProcessing && o.Status.CanMove(OrderProcessing) {
		o.Status = OrderProcessing
	}
	if o.Status.Unpaid() {
		o.NextAction = nil
	}
}

// refundedAll reports whether u says everything its payment collected (the
// order's total when the gateway does not state an amount) was refunded.
func refundedAll(o Order, u paymentUpdate) bool {
	collected := o.Total.AmountMinor
	if u.amount != (Money{}) {
		collected = u.amount.AmountMinor
	}
	return u.refunded > 0 && u.refunded >= collected
}

func orderEqual(a, b Order) bool {
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	return string(aj) == string(bj)
}
