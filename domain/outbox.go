package domain

import (
	"context"
	"strconv"
	"time"
)

// The org events of orders, credit notes and subscriptions (the outbox of
// outbound webhooks): each is recorded by recordEventTx in the transaction
// that makes the change it reports, under a key naming the transition, so
// a change rolled back leaves no event and a transition applied twice (a
// webhook delivered twice, reconciliation racing a webhook, a retried
// mutation) records one. Raw domain IDs are under orderId, invoiceId,
// creditNoteId, subscriptionId, planId, packId, userId and
// paymentMethodId; amounts are decimal strings with their currency
// ("25.00 EUR", Money.String) and the currency again under currency;
// instants are RFC 3339 UTC.

// Kinds of subscription change (the "change" detail of
// SUBSCRIPTION_CHANGED).
const (
	// SubChangeImmediate: a paid upgrade or seat increase took effect.
	SubChangeImmediate = "IMMEDIATE"
	// SubChangeScheduled: a change was scheduled for the period's end.
	SubChangeScheduled = "SCHEDULED"
	// SubChangeWithdrawn: a scheduled change was withdrawn.
	SubChangeWithdrawn = "WITHDRAWN"
	// SubChangeRenewal: a scheduled change took effect with the renewal.
	SubChangeRenewal = "RENEWAL"
	// SubChangeCancellationWithdrawn: a cancellation at period end was
	// undone (resumeSubscription).
	SubChangeCancellationWithdrawn = "CANCELLATION_WITHDRAWN"
	// SubChangeAutoRenew: automatic renewal was switched on or off
	// (detail autoRenew).
	SubChangeAutoRenew = "AUTO_RENEW"
)

// Reasons a subscription ended or is to end (the "reason" detail of
// SUBSCRIPTION_CANCELED).
const (
	// SubCanceledRequested: a member canceled it (at period end).
	SubCanceledRequested = "REQUESTED"
	// SubCanceledNotRenewed: its period ended with auto-renewal off.
	SubCanceledNotRenewed = "NOT_RENEWED"
	// SubCanceledOrgClosed: dunning closed its org.
	SubCanceledOrgClosed = "ORG_CLOSED"
)

// orderDetail is what every order event carries: orderId, orderNumber,
// status, amount (the order's total), currency, credits, and as they
// apply packId (the first pack line's), subscriptionId, planId, seats and
// action (a subscription order), autoRecharge (PACK or OVERAGE) and
// userId (the buyer; none for an order the system made).
func orderDetail(o Order) map[string]string {
	d := map[string]string{
		"orderId": o.ID, "orderNumber": o.Number, "status": string(o.Status),
		"amount": o.Total.String(), "currency": string(o.Total.Currency),
		"credits": strconv.FormatInt(o.Credits, 10),
	}
	for _, l := range o.Lines {
		if l.Kind == LinePack && l.PackID != "" {
			d["packId"] = l.PackID
			break
		}
	}
	if os := o.Subscription; os != nil {
		d["subscriptionId"], d["planId"], d["seats"], d["action"] = os.SubscriptionID, os.PlanID, strconv.Itoa(os.Seats), string(os.Action)
	}
	if o.AutoRecharge != "" {
		d["autoRecharge"] = string(o.AutoRecharge)
	}
	if o.CreatedBy != "" {
		d["userId"] = o.CreatedBy
	}
	return d
}

// orderPaidTx records ORDER_PAID for order o, fulfilled with invoice inv
// inside fulfil's transaction: orderDetail with invoiceId, invoiceNumber
// and paidAt. Key "order_paid:<order>": an order is paid once.
func (s *Service) orderPaidTx(ctx context.Context, tx Store, o Order, inv Invoice, now time.Time) error {
	d := orderDetail(o)
	d["invoiceId"], d["invoiceNumber"], d["paidAt"] = inv.ID, inv.Number, stamp(now)
	return s.recordEventTx(ctx, tx, o.OrgID, OrgEventOrderPaid, "order_paid:"+o.ID, d, now)
}

// orderFailedTx records ORDER_FAILED for order o, which settle's
// transaction just moved to FAILED or CANCELED: orderDetail with reason
// (the provider's decline reason; "canceled" for a cancellation; for held
// money given back, the review reason). Key "order_failed:<order>": an
// order fails at most once (a later collection makes it PAID, recorded as
// ORDER_PAID).
func (s *Service) orderFailedTx(ctx context.Context, tx Store, o Order, now time.Time) error {
	d := orderDetail(o)
	switch {
	case o.Status == OrderFailed && o.FailureReason != "":
		d["reason"] = o.FailureReason
	case o.Review != "":
		d["reason"] = o.Review
	case o.Status == OrderCanceled:
		d["reason"] = "canceled"
	default:
		d["reason"] = "failed"
	}
	return s.recordEventTx(ctx, tx, o.OrgID, OrgEventOrderFailed, "order_failed:"+o.ID, d, now)
}

// refundEventsTx records, inside the refund's transaction, ORDER_REFUNDED
// for order o (already moved to its new status and cumulative Refunded)
// and, when one was issued, CREDIT_NOTE_ISSUED for cn. ORDER_REFUNDED:
// orderDetail with amount (this refund), refundedTotal (all refunded so
// far), orderTotal, creditsRemoved, creditsNotRecovered and, with a
// note, creditNoteId and creditNoteNumber; key
// "order_refunded:<order>:<refunded total>", one per step of the
// cumulative total. CREDIT_NOTE_ISSUED: creditNoteId, creditNoteNumber,
// invoiceId, invoiceNumber, orderId, orderNumber, amount (given back,
// positive), tax, currency and reason; key "credit_note_issued:<note>".
func (s *Service) refundEventsTx(ctx context.Context, tx Store, o Order, amount int64, removed, notRecovered int64, cn *CreditNote, now time.Time) error {
	cur := o.Total.Currency
	d := orderDetail(o)
	d["amount"] = Money{AmountMinor: amount, Currency: cur}.String()
	d["refundedTotal"] = Money{AmountMinor: o.Refunded, Currency: cur}.String()
	d["orderTotal"] = o.Total.String()
	d["creditsRemoved"], d["creditsNotRecovered"] = strconv.FormatInt(removed, 10), strconv.FormatInt(notRecovered, 10)
	if cn != nil {
		d["creditNoteId"], d["creditNoteNumber"] = cn.ID, cn.Number
	}
	key := "order_refunded:" + o.ID + ":" + strconv.FormatInt(o.Refunded, 10)
	if err := s.recordEventTx(ctx, tx, o.OrgID, OrgEventOrderRefunded, key, d, now); err != nil {
		return err
	}
	if cn == nil {
		return nil
	}
	return s.recordEventTx(ctx, tx, o.OrgID, OrgEventCreditNoteIssued, "credit_note_issued:"+cn.ID, map[string]string{
		"creditNoteId": cn.ID, "creditNoteNumber": cn.Number, "invoiceId": cn.InvoiceID, "invoiceNumber": cn.InvoiceNumber,
		"orderId": cn.OrderID, "orderNumber": cn.OrderNumber,
		"amount": Money{AmountMinor: -cn.Total.AmountMinor, Currency: cur}.String(),
		"tax":    Money{AmountMinor: -cn.Tax.AmountMinor, Currency: cur}.String(), "currency": string(cur),
		"reason": cn.Reason,
	}, now)
}

// subscriptionDetail is what every subscription event carries:
// subscriptionId, status, planId, seats, periodStart, periodEnd,
// cancelAtPeriodEnd, autoRenew and, when set, paymentMethodId.
func subscriptionDetail(sub Subscription) map[string]string {
	d := map[string]string{
		"subscriptionId": sub.ID, "status": string(sub.Status), "planId": sub.PlanID, "seats": strconv.Itoa(sub.Seats),
		"periodStart": stamp(sub.CurrentPeriodStart), "periodEnd": stamp(sub.CurrentPeriodEnd),
		"cancelAtPeriodEnd": strconv.FormatBool(sub.CancelAtPeriodEnd), "autoRenew": strconv.FormatBool(sub.AutoRenew),
	}
	if sub.PaymentMethodID != "" {
		d["paymentMethodId"] = sub.PaymentMethodID
	}
	return d
}

// subEvent is a subscription event applySubscriptionOrder leaves for
// fulfil to record once the whole order is fulfilled.
type subEvent struct {
	kind   OrgEventKind
	key    string
	detail map[string]string
}

// paidSubscriptionEvent is the event a paid subscription order o makes of
// sub (now saved with the order applied; was is sub before; plan is
// sub's plan now, prev was's): SUBSCRIPTION_CREATED for the first payment
// (key "subscription_created:<subscription>"), SUBSCRIPTION_CHANGED for a
// paid change (IMMEDIATE) or a renewal that applied a scheduled change
// (RENEWAL) (key "subscription_changed:<order>"), none for a renewal that
// changed nothing. Detail: subscriptionDetail with planCode, interval,
// orderId, orderNumber, effectiveAt, and for a change change,
// previousPlanCode and previousSeats. (Plans other than planId's are
// named by their catalog code: webhooks turn the ID keys alone into
// global IDs.)
func paidSubscriptionEvent(o Order, was, sub Subscription, plan, prev Plan, now time.Time) *subEvent {
	d := subscriptionDetail(sub)
	d["planCode"], d["interval"], d["orderId"], d["orderNumber"] = plan.Code, string(plan.Interval), o.ID, o.Number
	switch o.Subscription.Action {
	case ActionSubscribe:
		d["effectiveAt"] = stamp(now)
		if sub.CreatedBy != "" {
			d["userId"] = sub.CreatedBy
		}
		return &subEvent{OrgEventSubscriptionCreated, "subscription_created:" + sub.ID, d}
	case ActionRenew:
		if was.PlanID == sub.PlanID && was.Seats == sub.Seats {
			return nil
		}
		d["change"], d["effectiveAt"] = SubChangeRenewal, stamp(o.Subscription.PeriodStart)
	default:
		d["change"], d["effectiveAt"] = SubChangeImmediate, stamp(now)
	}
	d["previousPlanCode"], d["previousSeats"] = prev.Code, strconv.Itoa(was.Seats)
	return &subEvent{OrgEventSubscriptionChanged, "subscription_changed:" + o.ID, d}
}

// settingEvent is the event a keyed change of a subscription (schedule or
// withdraw a change, cancel, resume, auto-renew) makes of was becoming
// sub, nil when nothing a receiver sees changed. SUBSCRIPTION_CANCELED
// (reason REQUESTED, effectiveAt the period's end) for a cancellation;
// SUBSCRIPTION_CHANGED otherwise, with change SCHEDULED (planId, planCode
// and seats are the scheduled plan and seats, previousPlanCode and
// previousSeats the current ones), WITHDRAWN (withdrawnPlanCode,
// withdrawnSeats),
// CANCELLATION_WITHDRAWN or AUTO_RENEW. codes names plans by ID where the
// caller has them at hand (nil: none). The detail is subscriptionDetail
// plus those, with userId (who asked). The key is
// "<kind>:<subscription>:v<version>": the subscription's version after
// the change, one per transition.
func settingEvent(was, sub Subscription, userID string, codes map[string]string) (OrgEventKind, map[string]string) {
	d := subscriptionDetail(sub)
	if userID != "" {
		d["userId"] = userID
	}
	code := func(key, planID string) {
		if c := codes[planID]; c != "" {
			d[key] = c
		}
	}
	end := stamp(sub.CurrentPeriodEnd)
	switch {
	case !was.CancelAtPeriodEnd && sub.CancelAtPeriodEnd:
		d["reason"], d["effectiveAt"] = SubCanceledRequested, end
		return OrgEventSubscriptionCanceled, d
	case was.CancelAtPeriodEnd && !sub.CancelAtPeriodEnd:
		d["change"] = SubChangeCancellationWithdrawn
	case was.AutoRenew != sub.AutoRenew:
		d["change"] = SubChangeAutoRenew
		if !sub.AutoRenew {
			d["effectiveAt"] = end
		}
	case sub.Pending != nil && (was.Pending == nil || *was.Pending != *sub.Pending):
		d["change"], d["effectiveAt"] = SubChangeScheduled, end
		d["previousSeats"], d["planId"], d["seats"] = strconv.Itoa(sub.Seats), sub.Pending.PlanID, strconv.Itoa(sub.Pending.Seats)
		code("previousPlanCode", sub.PlanID)
		code("planCode", sub.Pending.PlanID)
	case was.Pending != nil && sub.Pending == nil:
		d["change"], d["withdrawnSeats"] = SubChangeWithdrawn, strconv.Itoa(was.Pending.Seats)
		code("planCode", sub.PlanID)
		code("withdrawnPlanCode", was.Pending.PlanID)
	default:
		return "", nil
	}
	return OrgEventSubscriptionChanged, d
}

// subscriptionEndedTx records SUBSCRIPTION_CANCELED for sub, which just
// ENDED (reason NOT_RENEWED, or REQUESTED when it was canceled at period
// end; ORG_CLOSED when dunning closed its org): subscriptionDetail with
// reason and endedAt. Key "subscription_ended:<subscription>": a
// subscription ends once.
func (s *Service) subscriptionEndedTx(ctx context.Context, tx Store, sub Subscription, reason string, now time.Time) error {
	d := subscriptionDetail(sub)
	d["reason"] = reason
	if sub.EndedAt != nil {
		d["endedAt"] = stamp(*sub.EndedAt)
	}
	return s.recordEventTx(ctx, tx, sub.OrgID, OrgEventSubscriptionCanceled, "subscription_ended:"+sub.ID, d, now)
}
