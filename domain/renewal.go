package domain

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errSubscriptionMoved is the cause of fulfil's refusal to apply a paid
// subscription order its subscription no longer fits (a renewal of a
// period already renewed, a first payment of a subscription replaced
// meanwhile): the caller holds the order for review, so the money is
// given back rather than buying nothing or twice.
var errSubscriptionMoved = errors.New("the subscription moved on since the order was made")

// applySubscriptionOrder applies a paid subscription order to its
// subscription inside fulfil's transaction and returns when the order's
// included credits expire (the next monthly reset):
//   - SUBSCRIBE makes the INCOMPLETE subscription ACTIVE from now (the
//     anchor of its periods);
//   - RENEW moves it to the period the order paid for, with the plan and
//     seats of the pending change, and ends any PAST_DUE state and its
//     dunning schedule: the org, PAST_DUE or SUSPENDED, is ACTIVE again
//     (never a CLOSED one: its subscription ended, so the order no longer
//     fits and is held for review);
//   - CHANGE_PLAN and ADD_SEATS set the plan and seats at once.
//
// Every one switches auto-renewal on and sets the org's paid seats. It
// returns the subscription event fulfil records once the order is
// fulfilled (paidSubscriptionEvent; nil for none).
func (s *Service) applySubscriptionOrder(ctx context.Context, tx Store, o *Order, now time.Time) (time.Time, *subEvent, error) {
	os := o.Subscription
	sub, err := tx.LockSubscription(ctx, os.SubscriptionID)
	if err != nil {
		return time.Time{}, nil, err
	}
	plan, err := tx.PlanByID(ctx, os.PlanID)
	if err != nil {
		return time.Time{}, nil, err
	}
	org, err := tx.OrgByID(ctx, o.OrgID)
	if err != nil {
		return time.Time{}, nil, err
	}
	prev := plan // the plan before the order, read when it differs
	switch os.Action {
	case ActionSubscribe:
		if sub.Status != SubIncomplete {
			return time.Time{}, nil, Internal(errSubscriptionMoved)
		}
		sub.Anchor, sub.Period = now, 0
		sub.CurrentPeriodStart, sub.CurrentPeriodEnd = PeriodBounds(now, plan.Interval, 0)
		sub.NextResetAt = AddMonths(now, 1)
	case ActionRenew:
		if (sub.Status != SubActive && sub.Status != SubPastDue) || !sub.CurrentPeriodEnd.Equal(os.PeriodStart) {
			return time.Time{}, nil, Internal(errSubscriptionMoved)
		}
		old, err := tx.PlanByID(ctx, sub.PlanID)
		if err != nil {
			return time.Time{}, nil, err
		}
		prev = old
		if old.Interval != plan.Interval {
			sub.Anchor, sub.Period = os.PeriodStart, 0
		} else {
			sub.Period++
		}
		sub.CurrentPeriodStart, sub.CurrentPeriodEnd = os.PeriodStart, os.PeriodEnd
		sub.NextResetAt = NextReset(sub.Anchor, os.PeriodStart)
		sub.Pending, sub.RenewalFailure = nil, ""
		// Paid: whatever dunning had scheduled is over.
		sub.PastDueAt, sub.NextRetryAt, sub.DunningAttempts = nil, nil, 0
	case ActionChangePlan, ActionAddSeats:
		if sub.Status != SubActive && sub.Status != SubPastDue {
			return time.Time{}, nil, Internal(errSubscriptionMoved)
		}
		if sub.PlanID != plan.ID { // an upgrade: its event names the plan it left
			if prev, err = tx.PlanByID(ctx, sub.PlanID); err != nil {
				return time.Time{}, nil, err
			}
		}
		if os.Action == ActionChangePlan || (sub.Pending != nil && sub.Pending.PlanID == sub.PlanID) {
			sub.Pending = nil // an upgrade replaces a scheduled downgrade; added seats a scheduled removal
		} else if sub.Pending != nil {
			sub.Pending.Seats = max(sub.Pending.Seats, os.Seats)
		}
	default:
		return time.Time{}, nil, Internal(errors.New("unknown subscription action " + string(os.Action)))
	}
	if sub.Status != SubPastDue || os.Action == ActionRenew {
		sub.Status = SubActive
	}
	was := sub
	sub.PlanID, sub.Seats, sub.AutoRenew, sub.LatestOrderID = plan.ID, os.Seats, true, o.ID
	sub.UpdatedAt = now
	sub.Version++
	if err := tx.UpdateSubscription(ctx, sub); err != nil {
		return time.Time{}, nil, err
	}
	if os.Action == ActionRenew {
		if err := s.renewAddonsTx(ctx, tx, o, now); err != nil {
			return time.Time{}, nil, err
		}
		if _, err := s.grantAddonsTx(ctx, tx, sub, os.PeriodStart, sub.NextResetAt, now); err != nil {
			return time.Time{}, nil, err
		}
	}
	org.Seats = sub.Seats
	if sub.Status == SubActive && (org.Status == OrgPastDue || org.Status == OrgSuspended) {
		org.Status, org.SuspendedAt = OrgActive, nil // restored at once
	}
	org.UpdatedAt = now
	if err := tx.UpdateOrg(ctx, org); err != nil {
		return time.Time{}, nil, err
	}
	return sub.NextResetAt, paidSubscriptionEvent(*o, was, sub, plan, prev, now), nil
}

// renewalFailedTx records a renewal order that failed or was canceled
// inside settle's transaction (dunningFailedTx): the first failure of a
// period puts the subscription PAST_DUE with the org, the service
// continues and retries are scheduled; a failed scheduled retry (an order
// made by the system, CreatedBy "") counts its attempt. A failed payment
// the buyer made on session (retrySubscriptionPayment) changes nothing:
// the buyer was told.
func (s *Service) renewalFailedTx(ctx context.Context, tx Store, o Order, now time.Time) error {
	sub, err := tx.LockSubscription(ctx, o.Subscription.SubscriptionID)
	if err != nil {
		return err
	}
	if !sub.CurrentPeriodEnd.Equal(o.Subscription.PeriodStart) ||
		(sub.Status != SubActive && (sub.Status != SubPastDue || o.CreatedBy != "")) {
		return nil
	}
	reason := o.FailureReason
	if reason == "" {
		reason = "canceled"
	}
	return s.dunningFailedTx(ctx, tx, &sub, &o, reason, now)
}

// markPastDue saves sub (already PAST_DUE) and puts its org PAST_DUE.
func (s *Service) markPastDue(ctx context.Context, tx Store, sub *Subscription, now time.Time) error {
	sub.UpdatedAt = now
	sub.Version++
	if err := tx.UpdateSubscription(ctx, *sub); err != nil {
		return err
	}
	org, err := tx.OrgByID(ctx, sub.OrgID)
	if err != nil {
		return err
	}
	if org.Status == OrgActive {
		org.Status, org.UpdatedAt = OrgPastDue, now
		return tx.UpdateOrg(ctx, org)
	}
	return nil
}

// DueSubscription names a subscription with work due and the instant it
// fell due (its period's end or its monthly reset, the earlier).
type DueSubscription struct {
	ID  string
	Due time.Time
}

// DueSubscriptions lists up to limit ACTIVE subscriptions whose period
// ended or whose included credits are due a reset at the clock's now,
// soonest first: the renewal job hands each to AdvanceSubscription.
func (s *Service) DueSubscriptions(ctx context.Context, limit int) ([]DueSubscription, error) {
	subs, err := s.store.SubscriptionsDue(ctx, s.clock.Now(), limit)
	if err != nil {
		return nil, asDomainError(err)
	}
	out := make([]DueSubscription, len(subs))
	for i, sub := range subs {
		due := sub.CurrentPeriodEnd
		if sub.NextResetAt.Before(due) {
			due = sub.NextResetAt
		}
		out[i] = DueSubscription{ID: sub.ID, Due: due}
	}
	return out, nil
}

// RenewDue handles up to limit due subscriptions in turn (DueSubscriptions
// then AdvanceSubscription each) and returns how many it changed.
func (s *Service) RenewDue(ctx context.Context, limit int) (int, error) {
	due, err := s.DueSubscriptions(ctx, limit)
	if err != nil {
		return 0, err
	}
	return runEach(due, func(d DueSubscription) (bool, error) { return s.AdvanceSubscription(ctx, d.ID) })
}

// runEach does step for every item, going on after a failure, and returns
// how many steps changed something with every failure joined.
func runEach[T any](items []T, step func(T) (bool, error)) (int, error) {
	n := 0
	var errs []error
	for _, it := range items {
		changed, err := step(it)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if changed {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// AdvanceSubscription does what is due for one subscription at the clock's
// now (the renewal job's unit of work) and reports whether it changed
// anything: it ends a subscription that is canceled or not renewing (the
// org returns to the Free plan's seats), charges the next period of the
// others off session with their saved payment method, and resets the
// included credits of annual plans each month. Safe on many instances at
// once and when repeated: the subscription is handled under its lock, one
// renewal order is in flight per period, and the database accepts one paid
// renewal per period. Codes: INTERNAL, GATEWAY_UNAVAILABLE.
func (s *Service) AdvanceSubscription(ctx context.Context, id string) (bool, error) {
	return s.advanceSubscription(ctx, id)
}

// advanceSubscription does what is due for one subscription at the
// clock's now and reports whether it changed anything.
func (s *Service) advanceSubscription(ctx context.Context, id string) (bool, error) {
	now := s.clock.Now()
	var (
		charge   *Order
		methodID string
		changed  bool
		sub      Subscription
		balanceV int64
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		sub, err = tx.LockSubscription(ctx, id)
		if err != nil {
			return err
		}
		if sub.Status != SubActive {
			return nil
		}
		switch {
		case !sub.CurrentPeriodEnd.After(now):
			charge, methodID, changed, err = s.renewTx(ctx, tx, &sub, now)
			return err
		case !sub.NextResetAt.After(now) && sub.NextResetAt.Before(sub.CurrentPeriodEnd):
			balanceV, err = s.resetCreditsTx(ctx, tx, &sub, now)
			changed = err == nil
			return err
		}
		return nil
	})
	if err != nil {
		return false, asDomainError(err)
	}
	if changed {
		s.publishSubscription(ctx, sub)
		if sub.Status == SubPastDue || sub.Status == SubEnded {
			s.publishOrgEvent(ctx, sub.OrgID)
		}
	}
	if balanceV > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: sub.OrgID, Version: balanceV})
	}
	if charge == nil {
		return changed, nil
	}
	s.publishOrder(ctx, *charge)
	if _, err := s.startPayment(ctx, *charge, methodID, ""); err != nil && !IsCode(err, CodePaymentFailed) {
		// The order stays PENDING: the next run charges it again with the
		// same provider idempotency key, so never twice.
		s.log.WarnContext(ctx, "renewal charge not started; retried on the next run",
			"subscription", sub.ID, "order", charge.ID, "err", err)
		return changed, nil
	}
	return true, nil
}

// renewTx starts the renewal of a subscription whose period ended: it ends
// a subscription that is canceled or not renewing (the org returns to the
// Free plan's seats; SUBSCRIPTION_CANCELED, subscriptionEndedTx), resumes an unstarted renewal order of the period,
// or creates the period's renewal order with the pending change applied,
// to be charged after commit with the saved method. A subscription with no
// method to charge goes PAST_DUE at once.
func (s *Service) renewTx(ctx context.Context, tx Store, sub *Subscription, now time.Time) (*Order, string, bool, error) {
	org, err := tx.OrgByID(ctx, sub.OrgID)
	if err != nil {
		return nil, "", false, err
	}
	if sub.CancelAtPeriodEnd || !sub.AutoRenew {
		end := sub.CurrentPeriodEnd
		sub.Status, sub.EndedAt, sub.UpdatedAt = SubEnded, &end, now
		sub.Version++
		if err := tx.UpdateSubscription(ctx, *sub); err != nil {
			return nil, "", false, err
		}
		// Its add-ons end with it, and the org is back on the Free plan's
		// monthly credits at once.
		if err := s.endAddonsTx(ctx, tx, sub.ID, now); err != nil {
			return nil, "", false, err
		}
		if err := tx.SetFreeResetAt(ctx, org.ID, &end); err != nil {
			return nil, "", false, err
		}
		org.Seats, org.UpdatedAt = s.cfg.FreeSeats, now
		if err := tx.UpdateOrg(ctx, org); err != nil {
			return nil, "", false, err
		}
		reason := SubCanceledNotRenewed
		if sub.CancelAtPeriodEnd {
			reason = SubCanceledRequested
		}
		return nil, "", true, s.subscriptionEndedTx(ctx, tx, *sub, reason, now)
	}
	o, methodID, err := s.renewalChargeTx(ctx, tx, sub, org, now)
	if errors.Is(err, errNoMethodCause) {
		return nil, "", true, s.dunningFailedTx(ctx, tx, sub, nil, FailureNoMethod, now)
	}
	if err != nil {
		return nil, "", false, err
	}
	return o, methodID, o != nil, nil
}

// renewalChargeTx makes, or resumes, the off-session charge of the period
// after sub's current one: an unstarted renewal order of the period is
// returned to be charged again; one being paid returns nil (settle or
// reconciliation finishes it); otherwise a new renewal order with the
// pending change applied is written, to be charged after commit with the
// saved method it returns (sub's, or the org's default when sub's is
// gone). An org with no method to charge is errNoMethod.
func (s *Service) renewalChargeTx(ctx context.Context, tx Store, sub *Subscription, org Org, now time.Time) (*Order, string, error) {
	live, err := liveRenewal(ctx, tx, *sub)
	if err != nil {
		return nil, "", err
	}
	if live != nil {
		if live.Status == OrderPending && live.PaymentID == "" {
			return live, sub.PaymentMethodID, nil // a run that stopped before charging
		}
		return nil, "", nil // being paid: settle or reconciliation finishes it
	}
	m, err := s.chargeMethod(ctx, tx, sub.OrgID, sub.PaymentMethodID)
	if errors.Is(err, errNoMethodCause) && sub.PaymentMethodID != "" {
		m, err = s.chargeMethod(ctx, tx, sub.OrgID, "") // its method is gone: the org's default
	}
	if err != nil {
		return nil, "", err
	}
	gw, found := s.gateways.Get(m.Gateway)
	if !found {
		return nil, "", Errorf(CodeGatewayUnavailable, "gateway %s is not configured", m.Gateway)
	}
	q, err := s.renewalQuote(ctx, tx, *sub, org)
	if err != nil {
		return nil, "", err
	}
	pay := subPayment{gateway: gw, savedID: m.ID, paymentMethodID: m.ID, method: m.Kind, installments: sub.Installments}
	o := s.subscriptionOrder(org, *sub, q, ActionRenew, pay, nil, "", now)
	if err := s.createOrder(ctx, tx, &o); err != nil {
		return nil, "", err
	}
	sub.LatestOrderID, sub.UpdatedAt = o.ID, now
	sub.Version++
	if err := tx.UpdateSubscription(ctx, *sub); err != nil {
		return nil, "", err
	}
	return &o, m.ID, nil
}

// resetCreditsTx grants the month's included credits of a subscription
// whose monthly reset is due inside its period (annual plans), expiring at
// the next reset, with the month's credits of its add-ons (ending those
// whose term is over), and moves the reset on. The credits left of the month
// before expire at this reset through the expiry job. It returns the
// balance version after the grant.
func (s *Service) resetCreditsTx(ctx context.Context, tx Store, sub *Subscription, now time.Time) (int64, error) {
	plan, err := tx.PlanByID(ctx, sub.PlanID)
	if err != nil {
		return 0, err
	}
	at := sub.NextResetAt
	next := NextReset(sub.Anchor, at)
	credits := plan.IncludedCreditsPerSeat * int64(sub.Seats)
	var v int64
	if credits > 0 {
		res, err := s.applyCreditsTx(ctx, tx, sub.OrgID, func(b *Balance, _ []Grant, now time.Time) (change, error) {
			if b.OrgStatus == OrgClosed {
				return change{}, nil
			}
			amount := min(credits, MaxCredits-b.Total)
			if amount <= 0 {
				return change{}, nil
			}
			return grantChange(sub.OrgID, GrantSubscription, amount, &next, "", "included credits, month from "+at.Format(time.DateOnly), Actor{}, now), nil
		})
		if err != nil {
			return 0, err
		}
		v = res.Balance.Version
	}
	av, err := s.grantAddonsTx(ctx, tx, *sub, at, next, now)
	if err != nil {
		return 0, err
	}
	v = max(v, av)
	sub.NextResetAt, sub.UpdatedAt = next, now
	sub.Version++
	return v, tx.UpdateSubscription(ctx, *sub)
}

// renewalQuote prices the period after sub's current one, with its pending
// change applied: a plan of the same interval continues the anchor's
// periods, one of the other interval starts its own at the renewal. Each
// ACTIVE add-on whose term ends at the renewal renews with it: a PACK
// line for the renewal's interval (1 month or 12).
func (s *Service) renewalQuote(ctx context.Context, tx Store, sub Subscription, org Org) (SubscriptionQuote, error) {
	planID, seats := sub.PlanID, sub.Seats
	if sub.Pending != nil {
		planID, seats = sub.Pending.PlanID, sub.Pending.Seats
	}
	plan, err := tx.PlanByID(ctx, planID)
	if err != nil {
		return SubscriptionQuote{}, err
	}
	old, err := tx.PlanByID(ctx, sub.PlanID)
	if err != nil {
		return SubscriptionQuote{}, err
	}
	start := sub.CurrentPeriodEnd
	end := AddMonths(start, IntervalMonths(plan.Interval))
	if old.Interval == plan.Interval {
		_, end = PeriodBounds(sub.Anchor, plan.Interval, sub.Period+1)
	}
	addons, err := s.renewalAddonLines(ctx, tx, sub, org, start, IntervalMonths(plan.Interval))
	if err != nil {
		return SubscriptionQuote{}, err
	}
	return PriceRenewal(s.pricing, plan, seats, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: sub.Installments}, start, end, addons...)
}

// RetryPaymentInput asks to pay a PAST_DUE subscription's renewal now
// (retrySubscriptionPayment).
type RetryPaymentInput struct {
	OrgID string
	// PaymentMethodID is a saved method (it becomes the subscription's
	// method once paid) or a token; "" charges the subscription's method,
	// or lets the buyer pay on the gateway's page when it has none.
	PaymentMethodID string
	ReturnURL       string
	IdempotencyKey  string
}

// RetrySubscriptionPayment pays the renewal of a PAST_DUE subscription with
// the buyer present: a renewal the bank wanted authenticated, a declined
// or expired card replaced by another. The new order charges the same
// period at the same price; once paid the subscription and the org are
// ACTIVE again. Codes: as Subscribe's; CONFLICT when the subscription is
// not PAST_DUE or a payment of its renewal is already under way.
func (s *Service) RetrySubscriptionPayment(ctx context.Context, in RetryPaymentInput) (SubscriptionCheckout, error) {
	acc, returnURL, err := s.checkCharge(ctx, in.OrgID, in.IdempotencyKey, in.ReturnURL)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "retrySubscriptionPayment",
		hash: requestHash("retrySubscriptionPayment", in.OrgID, in.PaymentMethodID)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (SubscriptionCheckout, error) {
		return s.resumeSubscriptionOrder(ctx, rec, in.PaymentMethodID, returnURL)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (SubscriptionCheckout, error) {
		org, err := s.store.OrgByID(ctx, in.OrgID)
		if err != nil {
			return SubscriptionCheckout{}, asDomainError(err)
		}
		sub, err := s.store.LiveSubscription(ctx, in.OrgID)
		if IsCode(err, CodeNotFound) || (err == nil && sub.Status != SubPastDue) {
			return SubscriptionCheckout{}, &Error{Code: CodeConflict, Field: "orgId", Message: "the org has no subscription payment to retry"}
		}
		if err != nil {
			return SubscriptionCheckout{}, asDomainError(err)
		}
		q, err := s.renewalQuote(ctx, s.store, sub, org)
		if err != nil {
			return SubscriptionCheckout{}, asDomainError(err)
		}
		pmID := in.PaymentMethodID
		if pmID == "" {
			pmID = sub.PaymentMethodID
		}
		pay, err := s.subscriptionPayment(ctx, org, "", "", sub.Installments, pmID)
		if err != nil {
			return SubscriptionCheckout{}, err
		}
		if err := s.throttlePurchase(ctx, org.ID, acc.Actor); err != nil {
			return SubscriptionCheckout{}, err
		}
		o := s.subscriptionOrder(org, sub, q, ActionRenew, pay, nil, acc.Actor.UserID, s.clock.Now())
		err = s.store.InTx(ctx, func(tx Store) error {
			cur, err := tx.LockSubscription(ctx, sub.ID)
			if err != nil {
				return err
			}
			if cur.Status != SubPastDue || !cur.CurrentPeriodEnd.Equal(sub.CurrentPeriodEnd) {
				return &Error{Code: CodeConflict, Field: "orgId", Message: "the subscription changed meanwhile; retry"}
			}
			if live, err := liveRenewal(ctx, tx, cur); err != nil {
				return err
			} else if live != nil {
				return &Error{Code: CodeConflict, Field: "orgId", Message: fmt.Sprintf("order %s already pays this renewal; finish or cancel it", live.Number)}
			}
			if err := s.createOrder(ctx, tx, &o); err != nil {
				return err
			}
			cur.LatestOrderID, cur.UpdatedAt = o.ID, o.CreatedAt
			if pay.savedID != "" {
				cur.PaymentMethodID = pay.savedID
			}
			cur.Version++
			if err := tx.UpdateSubscription(ctx, cur); err != nil {
				return err
			}
			return record(ctx, tx, []byte(o.ID))
		})
		if err != nil {
			return SubscriptionCheckout{}, asDomainError(err)
		}
		return s.chargeSubscriptionOrder(ctx, o, pay.paymentMethodID, returnURL, q)
	})
}

// liveRenewal returns the renewal order of the period after sub's current
// one that is not FAILED or CANCELED, nil when there is none. Read under
// the subscription's lock, it keeps a period to one renewal in flight (the
// database keeps it to one paid).
func liveRenewal(ctx context.Context, tx OrderStore, sub Subscription) (*Order, error) {
	orders, err := tx.OrdersOfSubscription(ctx, sub.ID, 20)
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		if o.Subscription.Action == ActionRenew && o.Subscription.PeriodStart.Equal(sub.CurrentPeriodEnd) &&
			o.Status != OrderFailed && o.Status != OrderCanceled {
			return &o, nil
		}
	}
	return nil, nil
}
