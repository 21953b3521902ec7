package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// addonRow is a row of subscription_addons.
type addonRow struct {
	ID              string `gorm:"primaryKey"`
	OrgID           string
	SubscriptionID  string
	OrderID         string
	PackID          string
	Quantity        int
	CreditsPerMonth int64
	TermEnd         time.Time
	Status          string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
}

func (addonRow) TableName() string { return "subscription_addons" }

// CreateAddon inserts an add-on; CONFLICT when its ID exists or its order
// already made one (subscription_addons_order_idx).
func (d *DB) CreateAddon(ctx context.Context, a domain.SubscriptionAddon) error {
	r := addonRow{
		ID: a.ID, OrgID: a.OrgID, SubscriptionID: a.SubscriptionID, OrderID: a.OrderID, PackID: a.PackID,
		Quantity: a.Quantity, CreditsPerMonth: a.CreditsPerMonth, TermEnd: utc(a.TermEnd), Status: string(a.Status),
		CreatedAt: utc(a.CreatedAt), UpdatedAt: utc(a.UpdatedAt), Version: a.Version,
	}
	return d.insert(ctx, "subscription add-on", &r)
}

// AddonsOfSubscription lists a subscription's add-ons, oldest first.
func (d *DB) AddonsOfSubscription(ctx context.Context, subscriptionID string) ([]domain.SubscriptionAddon, error) {
	var rows []addonRow
	if err := d.db(ctx).Where("subscription_id = ?", subscriptionID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "subscription add-on")
	}
	out := make([]domain.SubscriptionAddon, 0, len(rows))
	for _, r := range rows {
		out = append(out, domain.SubscriptionAddon{
			ID: r.ID, OrgID: r.OrgID, SubscriptionID: r.SubscriptionID, OrderID: r.OrderID, PackID: r.PackID,
			Quantity: r.Quantity, CreditsPerMonth: r.CreditsPerMonth, TermEnd: r.TermEnd.UTC(),
			Status: domain.AddonStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		})
	}
	return out, nil
}

// UpdateAddon saves an add-on's term end, status and update time when the
// stored version is a.Version-1; CONFLICT when it differs, NOT_FOUND when
// the add-on does not exist.
func (d *DB) UpdateAddon(ctx context.Context, a domain.SubscriptionAddon) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&addonRow{}).Where("id = ? AND version = ?", a.ID, a.Version-1).Updates(map[string]any{
		"term_end": utc(a.TermEnd), "status": string(a.Status), "updated_at": utc(a.UpdatedAt), "version": a.Version,
	})
	if res.Error != nil {
		return mapErr(res.Error, "subscription add-on")
	}
	if res.RowsAffected > 0 {
		return nil
	}
	var n int64
	if err := d.db(ctx).Model(&addonRow{}).Where("id = ?", a.ID).Count(&n).Error; err != nil {
		return mapErr(err, "subscription add-on")
	}
	if n == 0 {
		return domain.NotFound("subscription add-on")
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "subscription add-on changed concurrently"}
}

// freeResetRow reads an org's free_reset_at.
type freeResetRow struct {
	FreeResetAt *time.Time
}

// OrgsDueFreeCredits lists up to limit orgs not deleted whose free_reset_at
// is at or before now, soonest first (orgs_free_reset_idx).
func (d *DB) OrgsDueFreeCredits(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ids []string
	err := d.db(ctx).Model(&orgRow{}).Where("free_reset_at IS NOT NULL AND free_reset_at <= ? AND deleted_at IS NULL", utc(now)).
		Order("free_reset_at, id").Limit(limit).Pluck("id", &ids).Error
	return ids, mapErr(err, "org")
}

// FreeResetAt returns the org's free_reset_at (nil when NULL) or NOT_FOUND.
func (d *DB) FreeResetAt(ctx context.Context, orgID string) (*time.Time, error) {
	var r freeResetRow
	if err := d.db(ctx).Model(&orgRow{}).Select("free_reset_at").Where("id = ?", orgID).Take(&r).Error; err != nil {
		return nil, mapErr(err, "org")
	}
	return utcPtr(r.FreeResetAt), nil
}

// SetFreeResetAt saves the org's free_reset_at (NULL for nil); NOT_FOUND
// when the org does not exist.
func (d *DB) SetFreeResetAt(ctx context.Context, orgID string, at *time.Time) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&orgRow{}).Where("id = ?", orgID).UpdateColumn("free_reset_at", nullable(utcPtr(at)))
	return affectedOne(res.Error, res.RowsAffected, "org")
}
