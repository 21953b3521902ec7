package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// DunningRetriesDue lists up to limit PAST_DUE subscriptions whose next
// scheduled retry is at or before now, soonest first.
func (d *DB) DunningRetriesDue(ctx context.Context, now time.Time, limit int) ([]domain.Subscription, error) {
	if limit <= 0 {
		return nil, nil
	}
	var rows []subscriptionRow
	err := d.db(ctx).Where("status = ? AND next_retry_at IS NOT NULL AND next_retry_at <= ?", string(domain.SubPastDue), utc(now)).
		Order("next_retry_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "subscription")
	}
	return toDomainSubscriptions(rows), nil
}

// SuspensionsDue lists up to limit PAST_DUE subscriptions that went
// PAST_DUE at or before pastDueBefore and whose org is still PAST_DUE,
// oldest first (subscriptions_dunning_idx).
func (d *DB) SuspensionsDue(ctx context.Context, pastDueBefore time.Time, limit int) ([]domain.Subscription, error) {
	if limit <= 0 {
		return nil, nil
	}
	var rows []subscriptionRow
	err := d.db(ctx).Where("status = ? AND past_due_at IS NOT NULL AND past_due_at <= ?", string(domain.SubPastDue), utc(pastDueBefore)).
		Where("org_id IN (?)", d.db(ctx).Model(&orgRow{}).Select("id").Where("status = ?", string(domain.OrgPastDue))).
		Order("past_due_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "subscription")
	}
	return toDomainSubscriptions(rows), nil
}

// ClosingsDue lists up to limit SUSPENDED orgs, not deleted, suspended at
// or before suspendedBefore, oldest first (orgs_suspended_idx).
func (d *DB) ClosingsDue(ctx context.Context, suspendedBefore time.Time, limit int) ([]domain.Org, error) {
	if limit <= 0 {
		return nil, nil
	}
	var rows []orgRow
	err := d.db(ctx).Where("status = ? AND deleted_at IS NULL AND suspended_at IS NOT NULL AND suspended_at <= ?",
		string(domain.OrgSuspended), utc(suspendedBefore)).
		Order("suspended_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "org")
	}
	out := make([]domain.Org, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainOrg(r))
	}
	return out, nil
}

func toDomainSubscriptions(rows []subscriptionRow) []domain.Subscription {
	out := make([]domain.Subscription, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainSubscription(r))
	}
	return out
}
