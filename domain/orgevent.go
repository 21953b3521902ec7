package domain

import (
	"context"
	"time"
)

// OrgEventKind names a billing transition recorded in an org's history.
type OrgEventKind string

// Kinds of org events. Those whose Notifies reports true are also mailed
// to the org's OWNER and BILLING members, once.
const (
	// OrgEventPaymentFailed: a renewal's charge failed; the subscription and
	// the org are PAST_DUE and retries are scheduled (notifies). Detail:
	// subscriptionId, reason, attempt, graceEndsAt, link, nextRetryAt
	// (when one is scheduled), and orderId, orderNumber, amount, currency
	// (when an order was charged). PAYMENT_RETRY_FAILED carries the same.
	OrgEventPaymentFailed OrgEventKind = "PAYMENT_FAILED"
	// OrgEventPaymentRetryFailed: a scheduled retry of the renewal failed
	// too (notifies).
	OrgEventPaymentRetryFailed OrgEventKind = "PAYMENT_RETRY_FAILED"
	// OrgEventSuspended: the grace period ended unpaid (notifies).
	// Detail: suspendedAt, closesAt, reason, link.
	OrgEventSuspended OrgEventKind = "ORG_SUSPENDED"
	// OrgEventRestored: a payment ended PAST_DUE or SUSPENDED (notifies).
	// Detail: from (the status before), subscriptionId, orderId,
	// orderNumber, amount, currency.
	OrgEventRestored OrgEventKind = "ORG_RESTORED"
	// OrgEventClosed: the retention after suspension ended (notifies).
	// Detail: closedAt, suspendedAt, link.
	OrgEventClosed OrgEventKind = "ORG_CLOSED"
	// OrgEventRenewalPaid: a renewal was paid; its receipt carries the
	// invoice PDF (notifies). Detail: orderId, orderNumber, invoiceId,
	// invoiceNumber, amount, currency, subscriptionId, planId, seats,
	// periodStart, periodEnd.
	OrgEventRenewalPaid OrgEventKind = "RENEWAL_PAID"
	// OrgEventAutoRechargeStarted: an automatic top-up order was made.
	// Detail (rechargeDetail): orderId, orderNumber, amount, currency,
	// credits, mode, packId (a pack top-up), paymentMethodId.
	OrgEventAutoRechargeStarted OrgEventKind = "AUTO_RECHARGE_STARTED"
	// OrgEventAutoRechargePaid: an automatic top-up was paid and granted.
	// Detail: as AUTO_RECHARGE_STARTED's, without paymentMethodId.
	OrgEventAutoRechargePaid OrgEventKind = "AUTO_RECHARGE_PAID"
	// OrgEventAutoRechargePaused: an automatic charge failed (or needs the
	// buyer) and auto-recharge is paused until resumed (notifies). Detail:
	// reason, action, link, and orderId, orderNumber, amount, currency
	// when an order failed.
	OrgEventAutoRechargePaused OrgEventKind = "AUTO_RECHARGE_PAUSED"
	// OrgEventAutoRechargeResumed: a member resumed auto-recharge.
	// Detail: userId (and by, the same).
	OrgEventAutoRechargeResumed OrgEventKind = "AUTO_RECHARGE_RESUMED"
	// OrgEventAutoRechargeLimitReached: a top-up was due but the period's
	// spending limit (or overage cap) would be passed (notifies). Detail:
	// limit, spent, periodStart, periodEnd, link.
	OrgEventAutoRechargeLimitReached OrgEventKind = "AUTO_RECHARGE_LIMIT_REACHED"
	// OrgEventLowBalance: the balance fell below the org's alert threshold
	// (notifies; once per crossing). Detail: balance, threshold.
	OrgEventLowBalance OrgEventKind = "LOW_BALANCE"
	// OrgEventOrderPaid: an order was paid and fulfilled (its credits
	// granted, its subscription applied), recorded in the settle
	// transaction (fulfil). Detail (orderDetail): orderId, orderNumber,
	// status, amount, currency, credits, packId, subscriptionId, planId,
	// seats, action, autoRecharge, userId (as they apply), and invoiceId,
	// invoiceNumber, paidAt. Money held for review records nothing until
	// it pays the order.
	OrgEventOrderPaid OrgEventKind = "ORDER_PAID"
	// OrgEventOrderFailed: an order's payment failed or was canceled
	// (status FAILED or CANCELED), or held money was given back. Detail:
	// orderDetail and reason. A late collection then records ORDER_PAID.
	OrgEventOrderFailed OrgEventKind = "ORDER_FAILED"
	// OrgEventOrderRefunded: an order was refunded, in full or in part.
	// Detail: orderDetail with amount (this refund), refundedTotal,
	// orderTotal, creditsRemoved, creditsNotRecovered, creditNoteId and
	// creditNoteNumber.
	OrgEventOrderRefunded OrgEventKind = "ORDER_REFUNDED"
	// OrgEventCreditNoteIssued: a credit note was issued for a refund.
	// Detail: creditNoteId, creditNoteNumber, invoiceId, invoiceNumber,
	// orderId, orderNumber, amount (given back), tax, currency, reason.
	OrgEventCreditNoteIssued OrgEventKind = "CREDIT_NOTE_ISSUED"
	// OrgEventSubscriptionCreated: a subscription's first payment made it
	// ACTIVE. Detail (subscriptionDetail): subscriptionId, status, planId,
	// seats, periodStart, periodEnd, cancelAtPeriodEnd, autoRenew,
	// paymentMethodId; and planCode, interval, orderId, orderNumber,
	// effectiveAt, userId.
	OrgEventSubscriptionCreated OrgEventKind = "SUBSCRIPTION_CREATED"
	// OrgEventSubscriptionChanged: a plan, seat or interval change took
	// effect, or was scheduled or withdrawn; or a cancellation was
	// withdrawn, or auto-renewal switched. Detail: subscriptionDetail and
	// change (IMMEDIATE, SCHEDULED, WITHDRAWN, RENEWAL,
	// CANCELLATION_WITHDRAWN, AUTO_RENEW), effectiveAt, planCode,
	// previousPlanCode and previousSeats (or withdrawnPlanCode and
	// withdrawnSeats), orderId, orderNumber and interval for a paid change,
	// userId for a member's. For SCHEDULED, planId, planCode and seats are
	// the scheduled ones. Other plans are named by code: only the ID keys
	// are turned into global IDs.
	OrgEventSubscriptionChanged OrgEventKind = "SUBSCRIPTION_CHANGED"
	// OrgEventSubscriptionCanceled: a subscription was canceled (at period
	// end: status still ACTIVE, effectiveAt its end) or ended (status
	// ENDED, endedAt). Detail: subscriptionDetail, reason (REQUESTED,
	// NOT_RENEWED, ORG_CLOSED), userId for a member's cancellation.
	OrgEventSubscriptionCanceled OrgEventKind = "SUBSCRIPTION_CANCELED"
	// OrgEventAutoRechargeFailed: an automatic top-up's charge failed
	// (auto-recharge is then paused: AUTO_RECHARGE_PAUSED follows).
	// Detail: rechargeDetail with reason and status (FAILED, CANCELED).
	OrgEventAutoRechargeFailed OrgEventKind = "AUTO_RECHARGE_FAILED"
	// OrgEventUsageThreshold: a usage metric crossed the warning level or
	// its limit in the current period (notifies; once per level, metric
	// and period).
	OrgEventUsageThreshold OrgEventKind = "USAGE_THRESHOLD_CROSSED"
	// OrgEventWebhookEndpointDisabled: a webhook endpoint failing for too
	// long was disabled (notifies).
	OrgEventWebhookEndpointDisabled OrgEventKind = "WEBHOOK_ENDPOINT_DISABLED"
	// OrgEventWebhookTest: a test event asked for on one webhook endpoint;
	// it is delivered to that endpoint only.
	OrgEventWebhookTest OrgEventKind = "WEBHOOK_TEST"
)

// webhookTypes maps each kind to the type its outbound webhook carries,
// named as object.verb the way receivers filter them.
var webhookTypes = map[OrgEventKind]string{
	OrgEventPaymentFailed:            "subscription.past_due",
	OrgEventPaymentRetryFailed:       "subscription.payment_retry_failed",
	OrgEventSuspended:                "org.suspended",
	OrgEventRestored:                 "org.restored",
	OrgEventClosed:                   "org.closed",
	OrgEventRenewalPaid:              "subscription.renewed",
	OrgEventAutoRechargeStarted:      "auto_recharge.started",
	OrgEventAutoRechargePaid:         "auto_recharge.succeeded",
	OrgEventAutoRechargePaused:       "auto_recharge.paused",
	OrgEventAutoRechargeResumed:      "auto_recharge.resumed",
	OrgEventAutoRechargeLimitReached: "auto_recharge.limit_reached",
	OrgEventLowBalance:               "balance.low",
	OrgEventOrderPaid:                "order.paid",
	OrgEventOrderFailed:              "order.failed",
	OrgEventOrderRefunded:            "order.refunded",
	OrgEventCreditNoteIssued:         "credit_note.issued",
	OrgEventSubscriptionCreated:      "subscription.created",
	OrgEventSubscriptionChanged:      "subscription.changed",
	OrgEventSubscriptionCanceled:     "subscription.canceled",
	OrgEventAutoRechargeFailed:       "auto_recharge.failed",
	OrgEventUsageThreshold:           "usage.threshold_crossed",
	OrgEventWebhookEndpointDisabled:  "webhook_endpoint.disabled",
	OrgEventWebhookTest:              "webhook.test",
}

// WebhookType is the event type outbound webhooks of this kind carry
// (e.g. "order.paid"), or "" for a kind that is not sent.
func (k OrgEventKind) WebhookType() string { return webhookTypes[k] }

// WebhookEventTypes lists every type an endpoint may subscribe to, in
// OrgEventKinds order ("webhook.test" is sent on request whatever an
// endpoint subscribes to, and is not listed).
func WebhookEventTypes() []string {
	out := make([]string, 0, len(OrgEventKinds))
	for _, k := range OrgEventKinds {
		if t := k.WebhookType(); t != "" && k != OrgEventWebhookTest {
			out = append(out, t)
		}
	}
	return out
}

// Notifies reports whether events of this kind are mailed to the org's
// billing contacts.
func (k OrgEventKind) Notifies() bool {
	switch k {
	case OrgEventPaymentFailed, OrgEventPaymentRetryFailed, OrgEventSuspended, OrgEventRestored,
		OrgEventClosed, OrgEventRenewalPaid, OrgEventAutoRechargePaused,
		OrgEventAutoRechargeLimitReached, OrgEventLowBalance, OrgEventUsageThreshold,
		OrgEventWebhookEndpointDisabled:
		return true
	}
	return false
}

// OrgEvent is one billing transition in an org's history. An event that
// notifies is also the outbox of its email: SentAt is set once a mail
// server accepted it.
type OrgEvent struct {
	ID    string
	OrgID string
	// Seq orders events as they were recorded (across orgs, so also within
	// one); outbound webhooks carry it as "sequence". Set by the store.
	Seq  int64
	Kind OrgEventKind
	// Key identifies the transition (e.g. "suspended:<org>:<past due at>"):
	// recording the same key twice records, and mails, once.
	Key string
	// Detail is what the history and the email show: order number, amount,
	// reason, next retry date, a link to act.
	Detail    map[string]string
	CreatedAt time.Time
	Notify    bool
	SentAt    *time.Time
	Attempts  int
	LastError string
}

// OrgEventStore keeps org events and their notification state.
type OrgEventStore interface {
	// AddOrgEvent inserts ev and reports whether it did: false (and no
	// error) when an event with ev.Key exists already.
	AddOrgEvent(ctx context.Context, ev OrgEvent) (bool, error)
	// OrgEventByID returns an event or NOT_FOUND.
	OrgEventByID(ctx context.Context, id string) (OrgEvent, error)
	// ListOrgEvents returns up to p.First events of an org, newest first,
	// after the cursor p.After when set.
	ListOrgEvents(ctx context.Context, orgID string, p Page) (Connection[OrgEvent], error)
	// UnsentNotifications lists up to limit events that notify and were not
	// sent yet, oldest first.
	UnsentNotifications(ctx context.Context, limit int) ([]OrgEvent, error)
	// MarkNotificationSent records that the event's email was accepted.
	MarkNotificationSent(ctx context.Context, id string, at time.Time) error
	// MarkNotificationFailed counts a failed attempt and keeps its error.
	MarkNotificationFailed(ctx context.Context, id string, reason string) error
}

// recordEventTx records an event of org orgID inside tx: Notify follows
// the kind, ID and CreatedAt are set here. Recording a key twice is not an
// error (the first stays). Callers publish EventOrg after commit
// (publishOrgEvent).
func (s *Service) recordEventTx(ctx context.Context, tx Store, orgID string, kind OrgEventKind, key string, detail map[string]string, now time.Time) error {
	if detail == nil {
		detail = map[string]string{}
	}
	_, err := tx.AddOrgEvent(ctx, OrgEvent{
		ID: newID(), OrgID: orgID, Kind: kind, Key: key, Detail: detail,
		CreatedAt: now, Notify: kind.Notifies(),
	})
	return err
}

// publishOrgEvent tells the org's subscribers that its history (and maybe
// its status) changed, after commit.
func (s *Service) publishOrgEvent(ctx context.Context, orgID string) {
	s.publish(ctx, Event{Kind: EventOrg, OrgID: orgID})
}
