package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// The store side of deleting an org (domain.OrgDeletionStore). The domain
// calls these inside one transaction under the org's lock, so each may read
// and then write without another writer of the org in between.

// CountOrdersInFlight counts the org's orders in one of statuses or held
// for review.
func (d *DB) CountOrdersInFlight(ctx context.Context, orgID string, statuses []domain.OrderStatus) (int, error) {
	var n int64
	q := d.db(ctx).Model(&orderRow{}).Where("org_id = ?", orgID)
	if len(statuses) > 0 {
		q = q.Where("(status IN ? OR review <> '')", statusStrings(statuses))
	} else {
		q = q.Where("review <> ''")
	}
	if err := q.Count(&n).Error; err != nil {
		return 0, mapErr(err, "order")
	}
	return int(n), nil
}

// MarkOrgDeleted stamps the org deleted, CLOSED and renamed; NOT_FOUND when
// it does not exist or is already deleted.
func (d *DB) MarkOrgDeleted(ctx context.Context, orgID, name string, at time.Time) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	at = utc(at)
	res := d.db(ctx).Model(&orgRow{}).Where("id = ? AND deleted_at IS NULL", orgID).Updates(map[string]any{
		"name": name, "status": string(domain.OrgClosed), "deleted_at": at, "updated_at": at,
	})
	return affectedOne(res.Error, res.RowsAffected, "org")
}

// DeleteOrgMembers removes the org's memberships and returns their users,
// in no particular order.
func (d *DB) DeleteOrgMembers(ctx context.Context, orgID string) ([]string, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var users []string
	if err := d.db(ctx).Model(&membershipRow{}).Where("org_id = ?", orgID).Pluck("user_id", &users).Error; err != nil {
		return nil, mapErr(err, "membership")
	}
	if err := d.db(ctx).Where("org_id = ?", orgID).Delete(&membershipRow{}).Error; err != nil {
		return nil, mapErr(err, "membership")
	}
	return users, nil
}

// DeleteOrgInvitations removes every invitation of the org.
func (d *DB) DeleteOrgInvitations(ctx context.Context, orgID string) (int, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	res := d.db(ctx).Where("org_id = ?", orgID).Delete(&invitationRow{})
	if res.Error != nil {
		return 0, mapErr(res.Error, "invitation")
	}
	return int(res.RowsAffected), nil
}

// RevokeOrgAPIKeys revokes the org's keys that are not revoked yet and
// returns their IDs.
func (d *DB) RevokeOrgAPIKeys(ctx context.Context, orgID string, at time.Time) ([]string, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var ids []string
	live := d.db(ctx).Model(&apiKeyRow{}).Where("org_id = ? AND revoked_at IS NULL", orgID)
	if err := live.Pluck("id", &ids).Error; err != nil {
		return nil, mapErr(err, "API key")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	err = d.db(ctx).Model(&apiKeyRow{}).Where("id IN ? AND revoked_at IS NULL", ids).Update("revoked_at", utc(at)).Error
	return ids, mapErr(err, "API key")
}

// ForgetInvoiceDetails clears the invoice details of the org's orders in
// one of statuses.
func (d *DB) ForgetInvoiceDetails(ctx context.Context, orgID string, statuses []domain.OrderStatus) (int, error) {
	if len(statuses) == 0 {
		return 0, nil
	}
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	res := d.db(ctx).Model(&orderRow{}).
		Where("org_id = ? AND status IN ? AND invoice_details IS NOT NULL", orgID, statusStrings(statuses)).
		Update("invoice_details", nil)
	if res.Error != nil {
		return 0, mapErr(res.Error, "order")
	}
	return int(res.RowsAffected), nil
}
