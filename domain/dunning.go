package domain

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// DunningConfig is the schedule of a failed renewal: when the off-session
// retries run, how long service continues unpaid, how long a suspended
// org's data is kept before it is CLOSED.
type DunningConfig struct {
	// Retries are the delays after the renewal first failed at which its
	// payment is retried off session (default 1 and 2 days).
	Retries []time.Duration
	// Grace is how long a PAST_DUE org keeps spending before it is
	// SUSPENDED (default 3 days).
	Grace time.Duration
	// Retention is how long a SUSPENDED org is kept before it is CLOSED
	// (default 30 days).
	Retention time.Duration
}

// DunningStore keeps what dunning needs beyond subscriptions and orgs: the
// three lists of due work its sweep reads.
type DunningStore interface {
	// DunningRetriesDue lists up to limit PAST_DUE subscriptions whose
	// NextRetryAt is at or before now, soonest first.
	DunningRetriesDue(ctx context.Context, now time.Time, limit int) ([]Subscription, error)
	// SuspensionsDue lists up to limit PAST_DUE subscriptions that went
	// PAST_DUE at or before pastDueBefore and whose org is still PAST_DUE
	// (not suspended yet), oldest first.
	SuspensionsDue(ctx context.Context, pastDueBefore time.Time, limit int) ([]Subscription, error)
	// ClosingsDue lists up to limit SUSPENDED orgs (not deleted) suspended
	// at or before suspendedBefore, oldest first.
	ClosingsDue(ctx context.Context, suspendedBefore time.Time, limit int) ([]Org, error)
}

// DunningStep names one step of a failed renewal's schedule.
type DunningStep string

// Steps of dunning, in the order they come.
const (
	// DunningRetry charges a PAST_DUE subscription's renewal again off
	// session (ID: the subscription).
	DunningRetry DunningStep = "retry"
	// DunningSuspend suspends the org of a PAST_DUE subscription whose
	// grace ended (ID: the subscription).
	DunningSuspend DunningStep = "suspend"
	// DunningClose closes an org whose retention after suspension ended
	// (ID: the org).
	DunningClose DunningStep = "close"
)

// DunningDue is one step of dunning that is due: the step, the
// subscription (retry, suspend) or org (close) it applies to, and the
// instant it fell due.
type DunningDue struct {
	Step DunningStep
	ID   string
	Due  time.Time
}

// DueDunning lists the dunning steps due at the clock's now, up to limit
// of each kind: retries first, then suspensions, then closings. The
// dunning job hands each to AdvanceDunning.
func (s *Service) DueDunning(ctx context.Context, limit int) ([]DunningDue, error) {
	now := s.clock.Now()
	d := s.cfg.Dunning
	retries, err := s.store.DunningRetriesDue(ctx, now, limit)
	if err != nil {
		return nil, asDomainError(err)
	}
	suspensions, err := s.store.SuspensionsDue(ctx, now.Add(-d.Grace), limit)
	if err != nil {
		return nil, asDomainError(err)
	}
	closings, err := s.store.ClosingsDue(ctx, now.Add(-d.Retention), limit)
	if err != nil {
		return nil, asDomainError(err)
	}
	out := make([]DunningDue, 0, len(retries)+len(suspensions)+len(closings))
	for _, sub := range retries {
		out = append(out, DunningDue{Step: DunningRetry, ID: sub.ID, Due: *sub.NextRetryAt})
	}
	for _, sub := range suspensions {
		out = append(out, DunningDue{Step: DunningSuspend, ID: sub.ID, Due: sub.PastDueAt.Add(d.Grace)})
	}
	for _, org := range closings {
		out = append(out, DunningDue{Step: DunningClose, ID: org.ID, Due: org.SuspendedAt.Add(d.Retention)})
	}
	return out, nil
}

// RunDunning does up to limit due dunning steps of each kind in turn
// (DueDunning then AdvanceDunning each) and returns how many changed
// something.
func (s *Service) RunDunning(ctx context.Context, limit int) (int, error) {
	due, err := s.DueDunning(ctx, limit)
	if err != nil {
		return 0, err
	}
	return runEach(due, func(d DunningDue) (bool, error) { return s.AdvanceDunning(ctx, d.Step, d.ID) })
}

// AdvanceDunning does one dunning step at the clock's now (the dunning
// job's unit of work) and reports whether it changed anything. Each step
// checks again, under the subscription's lock, that it is still due, so a
// step run twice, late, or after a payment restored the org does nothing:
//   - DunningRetry charges the renewal of the PAST_DUE subscription id off
//     session with its saved method (or the org's default) in a new order
//     for the same period; when it fails, the attempt is counted and the
//     next one scheduled (PAYMENT_RETRY_FAILED). A subscription canceled
//     or with auto-renewal off is not charged again;
//   - DunningSuspend suspends the org once the grace ended unpaid
//     (ORG_SUSPENDED): spending is refused, reading and paying work;
//   - DunningClose closes the org id once the retention after its
//     suspension ended (ORG_CLOSED): the subscription and its add-ons end;
//     orders, invoices, ledger and members are kept. Closing is final.
//
// Codes: INTERNAL, GATEWAY_UNAVAILABLE, INVALID_INPUT (unknown step).
func (s *Service) AdvanceDunning(ctx context.Context, step DunningStep, id string) (bool, error) {
	switch step {
	case DunningRetry:
		return s.retryRenewal(ctx, id)
	case DunningSuspend:
		return s.suspendOrg(ctx, id)
	case DunningClose:
		return s.closeOrg(ctx, id)
	}
	return false, InvalidInput("step", "unknown dunning step %q", step)
}

// retryRenewal is the scheduled off-session retry of a PAST_DUE
// subscription's renewal.
func (s *Service) retryRenewal(ctx context.Context, id string) (bool, error) {
	now := s.clock.Now()
	var (
		charge   *Order
		methodID string
		changed  bool
		sub      Subscription
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if sub, err = tx.LockSubscription(ctx, id); err != nil {
			return err
		}
		if sub.Status != SubPastDue || sub.NextRetryAt == nil || sub.NextRetryAt.After(now) {
			return nil
		}
		if sub.CancelAtPeriodEnd || !sub.AutoRenew {
			// The buyer does not want it renewed: no more automatic charges.
			sub.NextRetryAt, sub.UpdatedAt = nil, now
			sub.Version++
			changed = true
			return tx.UpdateSubscription(ctx, sub)
		}
		org, err := tx.OrgByID(ctx, sub.OrgID)
		if err != nil {
			return err
		}
		charge, methodID, err = s.renewalChargeTx(ctx, tx, &sub, org, now)
		if errors.Is(err, errNoMethodCause) {
			changed = true
			return s.dunningFailedTx(ctx, tx, &sub, nil, FailureNoMethod, now)
		}
		changed = charge != nil
		return err
	})
	if err != nil {
		return false, asDomainError(err)
	}
	if changed {
		s.publishSubscription(ctx, sub)
		s.publishOrgEvent(ctx, sub.OrgID)
	}
	if charge == nil {
		return changed, nil
	}
	s.publishOrder(ctx, *charge)
	if _, err := s.startPayment(ctx, *charge, methodID, ""); err != nil && !IsCode(err, CodePaymentFailed) {
		// The order stays PENDING: the next run charges it again with the
		// same provider idempotency key, so never twice.
		s.log.WarnContext(ctx, "renewal retry not started; retried on the next run",
			"subscription", sub.ID, "order", charge.ID, "err", err)
	}
	return true, nil
}

// suspendOrg suspends the org of PAST_DUE subscription id once its grace
// ended unpaid.
func (s *Service) suspendOrg(ctx context.Context, id string) (bool, error) {
	now := s.clock.Now()
	var orgID string
	err := s.store.InTx(ctx, func(tx Store) error {
		sub, err := tx.LockSubscription(ctx, id)
		if err != nil {
			return err
		}
		if sub.Status != SubPastDue || sub.PastDueAt == nil {
			return nil
		}
		at := sub.PastDueAt.Add(s.cfg.Dunning.Grace)
		if at.After(now) {
			return nil
		}
		org, err := tx.OrgByID(ctx, sub.OrgID)
		if err != nil {
			return err
		}
		if org.Status != OrgPastDue {
			return nil
		}
		// Suspended as of the grace's end, however late the sweep ran, so
		// the retention always runs from the same instant.
		org.Status, org.SuspendedAt, org.UpdatedAt = OrgSuspended, &at, now
		if err := tx.UpdateOrg(ctx, org); err != nil {
			return err
		}
		orgID = org.ID
		return s.recordEventTx(ctx, tx, org.ID, OrgEventSuspended, "suspended:"+org.ID+":"+stamp(*sub.PastDueAt), map[string]string{
			"suspendedAt": stamp(at), "closesAt": stamp(at.Add(s.cfg.Dunning.Retention)),
			"reason": sub.RenewalFailure, "link": s.cfg.Notify.BillingURL,
		}, now)
	})
	if err != nil {
		return false, asDomainError(err)
	}
	if orgID == "" {
		return false, nil
	}
	s.publishOrgEvent(ctx, orgID)
	return true, nil
}

// closeOrg closes SUSPENDED org id once its retention ended: its live
// subscription and add-ons end, its data stays.
func (s *Service) closeOrg(ctx context.Context, id string) (bool, error) {
	now := s.clock.Now()
	var (
		closed bool
		sub    *Subscription
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		live, err := tx.LiveSubscription(ctx, id)
		if err != nil && !IsCode(err, CodeNotFound) {
			return err
		}
		if err == nil {
			// The subscription's lock first, as a payment's fulfil takes
			// it: a payment and the closing serialize.
			if live, err = tx.LockSubscription(ctx, live.ID); err != nil {
				return err
			}
		}
		org, err := tx.OrgByID(ctx, id)
		if err != nil {
			return err
		}
		if org.Status != OrgSuspended || org.SuspendedAt == nil || org.DeletedAt != nil ||
			org.SuspendedAt.Add(s.cfg.Dunning.Retention).After(now) {
			return nil
		}
		if live.ID != "" && live.Status.Live() {
			live.Status, live.EndedAt, live.NextRetryAt, live.UpdatedAt = SubEnded, &now, nil, now
			live.Version++
			if err := tx.UpdateSubscription(ctx, live); err != nil {
				return err
			}
			if err := s.endAddonsTx(ctx, tx, live.ID, now); err != nil {
				return err
			}
			if err := s.subscriptionEndedTx(ctx, tx, live, SubCanceledOrgClosed, now); err != nil {
				return err
			}
			sub = &live
		}
		org.Status, org.UpdatedAt = OrgClosed, now
		if err := tx.UpdateOrg(ctx, org); err != nil {
			return err
		}
		closed = true
		return s.recordEventTx(ctx, tx, org.ID, OrgEventClosed, "closed:"+org.ID, map[string]string{
			"closedAt": stamp(now), "suspendedAt": stamp(*org.SuspendedAt), "link": s.cfg.Notify.BillingURL,
		}, now)
	})
	if err != nil {
		return false, asDomainError(err)
	}
	if sub != nil {
		s.publishSubscription(ctx, *sub)
	}
	if closed {
		s.publishOrgEvent(ctx, id)
	}
	return closed, nil
}

// dunningFailedTx records, inside the caller's transaction, that the
// renewal of sub failed off session: o is the failed order (nil when
// there was no method to charge), reason the provider's. The first
// failure of a period puts sub and its org PAST_DUE (the grace starts
// now, PAYMENT_FAILED); a failure of a scheduled retry counts the attempt
// and schedules the next (PAYMENT_RETRY_FAILED). It saves sub.
func (s *Service) dunningFailedTx(ctx context.Context, tx Store, sub *Subscription, o *Order, reason string, now time.Time) error {
	d := s.cfg.Dunning
	sub.RenewalFailure = reason
	kind, key := OrgEventPaymentFailed, "payment_failed:"+sub.ID+":"+stamp(sub.CurrentPeriodEnd)
	if sub.Status == SubPastDue && sub.PastDueAt != nil {
		sub.DunningAttempts++
		kind = OrgEventPaymentRetryFailed
		key = "payment_retry_failed:" + sub.ID + ":" + stamp(sub.CurrentPeriodEnd) + ":" + strconv.Itoa(sub.DunningAttempts)
	} else {
		start := now
		sub.Status, sub.PastDueAt, sub.DunningAttempts = SubPastDue, &start, 0
	}
	sub.NextRetryAt = nil
	if sub.DunningAttempts < len(d.Retries) {
		next := sub.PastDueAt.Add(d.Retries[sub.DunningAttempts])
		sub.NextRetryAt = &next
	}
	if err := s.markPastDue(ctx, tx, sub, now); err != nil {
		return err
	}
	detail := map[string]string{
		"reason": reason, "graceEndsAt": stamp(sub.PastDueAt.Add(d.Grace)),
		"attempt": strconv.Itoa(sub.DunningAttempts), "link": s.cfg.Notify.BillingURL,
		"subscriptionId": sub.ID,
	}
	if sub.NextRetryAt != nil {
		detail["nextRetryAt"] = stamp(*sub.NextRetryAt)
	}
	if o != nil {
		detail["orderId"], detail["orderNumber"], detail["amount"], detail["currency"] = o.ID, o.Number, o.Total.String(), string(o.Total.Currency)
	}
	return s.recordEventTx(ctx, tx, sub.OrgID, kind, key, detail, now)
}

// renewalPaidTx records, inside fulfil's transaction, that renewal order o
// was paid: RENEWAL_PAID with its invoice (the receipt), and ORG_RESTORED
// first when it ended a PAST_DUE or SUSPENDED state (wasStatus: the
// org's status before).
func (s *Service) renewalPaidTx(ctx context.Context, tx Store, o Order, inv Invoice, wasStatus OrgStatus, now time.Time) error {
	if wasStatus == OrgPastDue || wasStatus == OrgSuspended {
		err := s.recordEventTx(ctx, tx, o.OrgID, OrgEventRestored, "restored:"+o.Subscription.SubscriptionID+":"+stamp(o.Subscription.PeriodStart),
			map[string]string{"from": string(wasStatus), "orderId": o.ID, "orderNumber": o.Number, "amount": o.Total.String(),
				"currency": string(o.Total.Currency), "subscriptionId": o.Subscription.SubscriptionID}, now)
		if err != nil {
			return err
		}
	}
	return s.recordEventTx(ctx, tx, o.OrgID, OrgEventRenewalPaid, "renewal_paid:"+o.ID, map[string]string{
		"orderId": o.ID, "orderNumber": o.Number, "invoiceId": inv.ID, "invoiceNumber": inv.Number,
		"amount": o.Total.String(), "currency": string(o.Total.Currency), "periodStart": stamp(o.Subscription.PeriodStart), "periodEnd": stamp(o.Subscription.PeriodEnd),
		"subscriptionId": o.Subscription.SubscriptionID, "planId": o.Subscription.PlanID, "seats": strconv.Itoa(o.Subscription.Seats),
	}, now)
}

// GraceEndsAt is when a subscription that went PAST_DUE at pastDueAt has
// its org suspended unless paid; nil when pastDueAt is nil.
func (s *Service) GraceEndsAt(pastDueAt *time.Time) *time.Time {
	if pastDueAt == nil {
		return nil
	}
	t := pastDueAt.Add(s.cfg.Dunning.Grace)
	return &t
}

// ClosesAt is when an org SUSPENDED at suspendedAt is CLOSED unless paid;
// nil when suspendedAt is nil.
func (s *Service) ClosesAt(suspendedAt *time.Time) *time.Time {
	if suspendedAt == nil {
		return nil
	}
	t := suspendedAt.Add(s.cfg.Dunning.Retention)
	return &t
}

// stamp formats t for event keys and details (RFC 3339, UTC).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// payPastDueWith makes the ACTIVE saved method methodID the PAST_DUE
// subscription's method, if the org has one, and charges its renewal off
// session with it at once, so that a new card (addPaymentMethod,
// confirmPaymentMethod, setDefaultPaymentMethod) restores the org without
// waiting for the next scheduled retry. The charge is a retry like a
// scheduled one: a decline counts as an attempt. Nothing happens while a
// payment of the renewal is under way. Best effort: the method is saved
// whatever the charge does; a failure is logged, not returned.
func (s *Service) payPastDueWith(ctx context.Context, orgID, methodID string) {
	sub, err := s.store.LiveSubscription(ctx, orgID)
	if err != nil || sub.Status != SubPastDue {
		return
	}
	now := s.clock.Now()
	var charge *Order
	err = s.store.InTx(ctx, func(tx Store) error {
		var err error
		if sub, err = tx.LockSubscription(ctx, sub.ID); err != nil {
			return err
		}
		if sub.Status != SubPastDue {
			return nil
		}
		if live, err := liveRenewal(ctx, tx, sub); err != nil || (live != nil && live.PaymentID != "") {
			return err // being paid: settle or reconciliation finishes it
		}
		sub.PaymentMethodID, sub.UpdatedAt = methodID, now
		sub.Version++
		if err := tx.UpdateSubscription(ctx, sub); err != nil {
			return err
		}
		org, err := tx.OrgByID(ctx, sub.OrgID)
		if err != nil {
			return err
		}
		charge, _, err = s.renewalChargeTx(ctx, tx, &sub, org, now)
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "past-due renewal not charged with the new payment method", "subscription", sub.ID, "err", err)
		return
	}
	s.publishSubscription(ctx, sub)
	if charge == nil {
		return
	}
	s.publishOrder(ctx, *charge)
	if _, err := s.startPayment(ctx, *charge, methodID, ""); err != nil {
		s.log.InfoContext(ctx, "past-due renewal charged with the new payment method failed",
			"subscription", sub.ID, "order", charge.ID, "err", err)
	}
}

// checkBuyer refuses a purchase or a new subscription of an org dunning
// stopped: while SUSPENDED with ORG_SUSPENDED (credits bought now could
// not be spent, and buying them would not pay what is owed: the renewal
// is paid with retrySubscriptionPayment or a new card), and once CLOSED
// with CONFLICT (closing is final; the org's data stays readable). A
// PAST_DUE org buys as usual: its service continues. A deleted org is
// NOT_FOUND, as it is to everyone once its members are gone (a purchase
// racing the deletion read it in between).
func checkBuyer(org Org) error {
	if org.DeletedAt != nil {
		return NotFound("org")
	}
	switch org.Status {
	case OrgSuspended:
		return &Error{Code: CodeOrgSuspended, Field: "orgId",
			Message: "the org is suspended: pay its open renewal (retrySubscriptionPayment, or add a card) before buying"}
	case OrgClosed:
		return &Error{Code: CodeConflict, Field: "orgId", Message: "the org is closed: nothing can be bought for it any more"}
	}
	return nil
}
