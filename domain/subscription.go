package domain

import (
	"context"
	"time"
)

// SubscriptionStatus is where an org's plan subscription stands.
type SubscriptionStatus string

// Subscription states.
const (
	// SubIncomplete: subscribed, its first payment not collected yet.
	SubIncomplete SubscriptionStatus = "INCOMPLETE"
	// SubActive: paid for the current period.
	SubActive SubscriptionStatus = "ACTIVE"
	// SubPastDue: a renewal's payment failed; service continues while the
	// buyer pays.
	SubPastDue SubscriptionStatus = "PAST_DUE"
	// SubEnded: over (canceled, not renewed, or never paid); the org is on
	// the Free plan.
	SubEnded SubscriptionStatus = "ENDED"
)

// Live reports whether the subscription still belongs to its org (every
// state but ENDED); an org has at most one live subscription.
func (s SubscriptionStatus) Live() bool { return s != SubEnded && s != "" }

// PendingChange is a change scheduled for the end of the current period: a
// downgrade, a move to another interval, or fewer seats.
type PendingChange struct {
	PlanID string
	Seats  int
}

// Subscription is an org's plan subscription. Periods are counted from
// Anchor in whole months (a year for annual plans) with the day clamped to
// the month's end, so a subscription started on 31 January renews on 28 or
// 29 February and on 31 March: the renewal date never drifts.
type Subscription struct {
	ID     string
	OrgID  string
	PlanID string
	Seats  int
	Status SubscriptionStatus
	// Currency, Gateway, PaymentMethodID and Installments are how the
	// subscription is paid; renewals charge PaymentMethodID (or the org's
	// default method when "") off session, in Installments.
	Currency        Currency
	Gateway         string
	PaymentMethodID string
	Installments    int
	// Anchor is the start of the first period; Period is the index of the
	// current one (0 first).
	Anchor             time.Time
	Period             int
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	// NextResetAt is when the included credits are next reset: monthly,
	// also on annual plans; equal to CurrentPeriodEnd on monthly plans.
	NextResetAt time.Time
	// AutoRenew: renewals charge the saved method by themselves.
	AutoRenew bool
	// CancelAtPeriodEnd: the subscription ends with the current period.
	CancelAtPeriodEnd bool
	// Pending is the change scheduled for the period's end, nil when none.
	Pending *PendingChange
	// LatestOrderID is the subscription's most recent order (subscribe,
	// change or renewal).
	LatestOrderID string
	// RenewalFailure is why the latest renewal charge failed ("" when it
	// did not): the provider's reason, FailureAuthRequired when the buyer
	// must pay on session.
	RenewalFailure string
	// PastDueAt is when the subscription went PAST_DUE (the start of the
	// grace period), nil while it is not; DunningAttempts counts the
	// scheduled off-session retries of its renewal made since, and
	// NextRetryAt is when the next one is due (nil: none left).
	PastDueAt       *time.Time
	DunningAttempts int
	NextRetryAt     *time.Time
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	EndedAt         *time.Time
	// Version increases with every change (optimistic concurrency).
	Version int64
}

// SubscriptionAction is what a paid subscription order does to its
// subscription.
type SubscriptionAction string

// Subscription actions of an order.
const (
	ActionSubscribe  SubscriptionAction = "SUBSCRIBE"
	ActionRenew      SubscriptionAction = "RENEW"
	ActionChangePlan SubscriptionAction = "CHANGE_PLAN"
	ActionAddSeats   SubscriptionAction = "ADD_SEATS"
)

// OrderSubscription is the subscription part of an order: what becomes of
// the subscription once the order is paid.
type OrderSubscription struct {
	SubscriptionID string
	Action         SubscriptionAction
	// PlanID and Seats are the plan and seat count once the order is paid.
	PlanID string
	Seats  int
	// PeriodStart and PeriodEnd are the period the order pays for (the
	// rest of the current period for a change).
	PeriodStart time.Time
	PeriodEnd   time.Time
}

// SubscriptionStore keeps plan subscriptions.
type SubscriptionStore interface {
	// CreateSubscription inserts a subscription; CONFLICT when its org
	// already has a live one (status other than ENDED).
	CreateSubscription(ctx context.Context, s Subscription) error
	// SubscriptionByID returns a subscription or NOT_FOUND.
	SubscriptionByID(ctx context.Context, id string) (Subscription, error)
	// LiveSubscription returns the org's live subscription or NOT_FOUND.
	LiveSubscription(ctx context.Context, orgID string) (Subscription, error)
	// LockSubscription returns a subscription and, inside InTx, locks it
	// until the transaction ends. NOT_FOUND when absent.
	LockSubscription(ctx context.Context, id string) (Subscription, error)
	// UpdateSubscription saves every mutable field of s when the stored
	// Version is s.Version-1; CONFLICT otherwise.
	UpdateSubscription(ctx context.Context, s Subscription) error
	// SubscriptionsDue lists up to limit ACTIVE subscriptions whose
	// CurrentPeriodEnd or NextResetAt is at or before now, soonest first.
	SubscriptionsDue(ctx context.Context, now time.Time, limit int) ([]Subscription, error)
}
