package db

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tallyhq/tally/domain"
)

// subscriptionRow is a row of subscriptions. PendingPlanID and PendingSeats
// are both NULL (no pending change) or both set.
type subscriptionRow struct {
	ID                 string `gorm:"primaryKey"`
	OrgID              string
	PlanID             string
	Seats              int
	Status             string
	Currency           string
	Gateway            string
	PaymentMethodID    *string
	Installments       int
	Anchor             time.Time
	Period             int
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	NextResetAt        time.Time
	AutoRenew          bool
	CancelAtPeriodEnd  bool
	PendingPlanID      *string
	PendingSeats       *int
	LatestOrderID      *string
	RenewalFailure     string
	PastDueAt          *time.Time
	DunningAttempts    int
	NextRetryAt        *time.Time
	CreatedBy          string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	EndedAt            *time.Time
	Version            int64
}

func (subscriptionRow) TableName() string { return "subscriptions" }

func toDomainSubscription(r subscriptionRow) domain.Subscription {
	var pending *domain.PendingChange
	if r.PendingPlanID != nil {
		pending = &domain.PendingChange{PlanID: *r.PendingPlanID}
		if r.PendingSeats != nil {
			pending.Seats = *r.PendingSeats
		}
	}
	return domain.Subscription{
		ID:                 r.ID,
		OrgID:              r.OrgID,
		PlanID:             r.PlanID,
		Seats:              r.Seats,
		Status:             domain.SubscriptionStatus(r.Status),
		Currency:           domain.Currency(r.Currency),
		Gateway:            r.Gateway,
		PaymentMethodID:    strVal(r.PaymentMethodID),
		Installments:       r.Installments,
		Anchor:             r.Anchor.UTC(),
		Period:             r.Period,
		CurrentPeriodStart: r.CurrentPeriodStart.UTC(),
		CurrentPeriodEnd:   r.CurrentPeriodEnd.UTC(),
		NextResetAt:        r.NextResetAt.UTC(),
		AutoRenew:          r.AutoRenew,
		CancelAtPeriodEnd:  r.CancelAtPeriodEnd,
		Pending:            pending,
		LatestOrderID:      strVal(r.LatestOrderID),
		RenewalFailure:     r.RenewalFailure,
		PastDueAt:          utcPtr(r.PastDueAt),
		DunningAttempts:    r.DunningAttempts,
		NextRetryAt:        utcPtr(r.NextRetryAt),
		CreatedBy:          r.CreatedBy,
		CreatedAt:          r.CreatedAt.UTC(),
		UpdatedAt:          r.UpdatedAt.UTC(),
		EndedAt:            utcPtr(r.EndedAt),
		Version:            r.Version,
	}
}

func fromDomainSubscription(s domain.Subscription) subscriptionRow {
	r := subscriptionRow{
		ID:                 s.ID,
		OrgID:              s.OrgID,
		PlanID:             s.PlanID,
		Seats:              s.Seats,
		Status:             string(s.Status),
		Currency:           string(s.Currency),
		Gateway:            s.Gateway,
		PaymentMethodID:    strPtr(s.PaymentMethodID),
		Installments:       s.Installments,
		Anchor:             utc(s.Anchor),
		Period:             s.Period,
		CurrentPeriodStart: utc(s.CurrentPeriodStart),
		CurrentPeriodEnd:   utc(s.CurrentPeriodEnd),
		NextResetAt:        utc(s.NextResetAt),
		AutoRenew:          s.AutoRenew,
		CancelAtPeriodEnd:  s.CancelAtPeriodEnd,
		LatestOrderID:      strPtr(s.LatestOrderID),
		RenewalFailure:     s.RenewalFailure,
		PastDueAt:          utcPtr(s.PastDueAt),
		DunningAttempts:    s.DunningAttempts,
		NextRetryAt:        utcPtr(s.NextRetryAt),
		CreatedBy:          s.CreatedBy,
		CreatedAt:          utc(s.CreatedAt),
		UpdatedAt:          utc(s.UpdatedAt),
		EndedAt:            utcPtr(s.EndedAt),
		Version:            s.Version,
	}
	if s.Pending != nil {
		plan, seats := s.Pending.PlanID, s.Pending.Seats
		r.PendingPlanID, r.PendingSeats = &plan, &seats
	}
	return r
}

// CreateSubscription inserts a subscription; CONFLICT when its ID exists or
// its org already has a live one (subscriptions_live_idx, a unique index
// on org_id of the rows not ENDED).
func (d *DB) CreateSubscription(ctx context.Context, s domain.Subscription) error {
	r := fromDomainSubscription(s)
	return d.insert(ctx, "subscription", &r)
}

// SubscriptionByID returns a subscription or NOT_FOUND.
func (d *DB) SubscriptionByID(ctx context.Context, id string) (domain.Subscription, error) {
	return subscriptionWhere(d.db(ctx), "id = ?", id)
}

// LiveSubscription returns the org's subscription that is not ENDED (at
// most one, by subscriptions_live_idx) or NOT_FOUND.
func (d *DB) LiveSubscription(ctx context.Context, orgID string) (domain.Subscription, error) {
	return subscriptionWhere(d.db(ctx), "org_id = ? AND status <> ?", orgID, string(domain.SubEnded))
}

// LockSubscription returns a subscription or NOT_FOUND. On PostgreSQL it
// locks the row (FOR UPDATE) until the transaction ends; on SQLite the
// immediate write transaction already holds the database's write lock.
func (d *DB) LockSubscription(ctx context.Context, id string) (domain.Subscription, error) {
	q := d.db(ctx)
	if d.dialect == DialectPostgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return subscriptionWhere(q, "id = ?", id)
}

func subscriptionWhere(q *gorm.DB, cond string, args ...any) (domain.Subscription, error) {
	var r subscriptionRow
	if err := q.Where(cond, args...).Take(&r).Error; err != nil {
		return domain.Subscription{}, mapErr(err, "subscription")
	}
	return toDomainSubscription(r), nil
}

// UpdateSubscription saves every field of s but its ID, org, creator and
// creation time when the stored version is s.Version-1. CONFLICT when the
// stored version differs (a concurrent change) or when s would make a
// second live subscription of its org; NOT_FOUND when it does not exist.
func (d *DB) UpdateSubscription(ctx context.Context, s domain.Subscription) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromDomainSubscription(s)
	res := d.db(ctx).Model(&subscriptionRow{}).Where("id = ? AND version = ?", r.ID, r.Version-1).Updates(map[string]any{
		"plan_id": r.PlanID, "seats": r.Seats, "status": r.Status, "currency": r.Currency, "gateway": r.Gateway,
		"payment_method_id": nullable(r.PaymentMethodID), "installments": r.Installments, "anchor": r.Anchor,
		"period": r.Period, "current_period_start": r.CurrentPeriodStart, "current_period_end": r.CurrentPeriodEnd,
		"next_reset_at": r.NextResetAt, "auto_renew": r.AutoRenew, "cancel_at_period_end": r.CancelAtPeriodEnd,
		"pending_plan_id": nullable(r.PendingPlanID), "pending_seats": nullable(r.PendingSeats),
		"latest_order_id": nullable(r.LatestOrderID), "renewal_failure": r.RenewalFailure,
		"past_due_at": nullable(r.PastDueAt), "dunning_attempts": r.DunningAttempts, "next_retry_at": nullable(r.NextRetryAt),
		"updated_at": r.UpdatedAt, "ended_at": nullable(r.EndedAt), "version": r.Version,
	})
	if res.Error != nil {
		return mapErr(res.Error, "subscription")
	}
	if res.RowsAffected > 0 {
		return nil
	}
	var n int64
	if err := d.db(ctx).Model(&subscriptionRow{}).Where("id = ?", r.ID).Count(&n).Error; err != nil {
		return mapErr(err, "subscription")
	}
	if n == 0 {
		return domain.NotFound("subscription")
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "subscription changed concurrently"}
}

// SubscriptionsDue lists up to limit ACTIVE subscriptions whose current
// period ended or whose included credits are due a reset at now, by the
// earlier of the two instants (then ID), served by
// subscriptions_period_end_idx and subscriptions_reset_idx. PAST_DUE and
// INCOMPLETE ones wait for their buyer, not for the clock.
func (d *DB) SubscriptionsDue(ctx context.Context, now time.Time, limit int) ([]domain.Subscription, error) {
	if limit <= 0 {
		return nil, nil
	}
	earlier := "LEAST(current_period_end, next_reset_at)"
	if d.dialect == DialectSQLite {
		earlier = "MIN(current_period_end, next_reset_at)" // SQLite's scalar min
	}
	at := utc(now)
	var rows []subscriptionRow
	err := d.db(ctx).Where("status = ? AND (current_period_end <= ? OR next_reset_at <= ?)", string(domain.SubActive), at, at).
		Order(earlier + ", id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "subscription")
	}
	out := make([]domain.Subscription, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainSubscription(r))
	}
	return out, nil
}
