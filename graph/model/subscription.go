package model

import "time"

// Subscription is an org's plan subscription; its plan, included credits
// and latest order are resolved on demand.
type Subscription struct {
	// ID is the subscription's global ID.
	ID string
	// SubscriptionID and OrgID are the domain IDs the field resolvers use.
	SubscriptionID string
	OrgID          string
	// PlanID is the domain ID of the plan.
	PlanID             string
	Status             SubscriptionStatus
	Seats              int
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	RenewsAt           *time.Time
	NextCreditResetAt  time.Time
	AutoRenew          bool
	CancelAtPeriodEnd  bool
	ScheduledChange    *ScheduledChange
	Installments       int
	// LatestOrderID is the domain ID of the latest order, "" when none.
	LatestOrderID  string
	RenewalFailure *RenewalFailure
	// PastDueAt, NextRetryAt and DunningAttempts are the dunning state
	// (nil and 0 unless PAST_DUE); graceEndsAt is resolved from PastDueAt.
	PastDueAt       *time.Time
	NextRetryAt     *time.Time
	DunningAttempts int
	CreatedAt       time.Time
	EndedAt         *time.Time
}

// IsNode marks Subscription as a Node.
func (Subscription) IsNode() {}

// GetID returns the global ID.
func (s Subscription) GetID() string { return s.ID }

// ScheduledChange is a change scheduled for the end of a subscription's
// period; its plan is resolved on demand.
type ScheduledChange struct {
	// PlanID is the domain ID of the plan.
	PlanID      string
	Seats       int
	EffectiveAt time.Time
}
