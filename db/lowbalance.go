package db

import (
	"context"

	"github.com/tallyhq/tally/domain"
)

// lowBalanceRow is the alert's part of an orgs row.
type lowBalanceRow struct {
	LowBalanceBelow   int64
	LowBalanceAlerted bool
}

// LowBalanceAlertOf returns the org's low balance alert; NOT_FOUND for an
// unknown org.
func (d *DB) LowBalanceAlertOf(ctx context.Context, orgID string) (domain.LowBalanceAlert, error) {
	var r lowBalanceRow
	err := d.db(ctx).Model(&orgRow{}).Select("low_balance_below", "low_balance_alerted").
		Where("id = ?", orgID).Take(&r).Error
	if err != nil {
		return domain.LowBalanceAlert{}, mapErr(err, "org")
	}
	return domain.LowBalanceAlert{Threshold: r.LowBalanceBelow, Alerted: r.LowBalanceAlerted}, nil
}

// SaveLowBalanceAlert saves the org's threshold and alerted flag.
func (d *DB) SaveLowBalanceAlert(ctx context.Context, orgID string, a domain.LowBalanceAlert) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&orgRow{}).Where("id = ?", orgID).Updates(map[string]any{
		"low_balance_below": a.Threshold, "low_balance_alerted": a.Alerted,
	})
	return affectedOne(res.Error, res.RowsAffected, "org")
}

// OrgsToCheckLowBalance lists up to limit live orgs whose alert flag
// disagrees with their balance, by id.
func (d *DB) OrgsToCheckLowBalance(ctx context.Context, limit int) ([]string, error) {
	var ids []string
	err := d.db(ctx).Table("orgs AS o").Joins("JOIN org_balances AS b ON b.org_id = o.id").
		Where("o.low_balance_below > 0 AND o.deleted_at IS NULL AND o.status <> ?", string(domain.OrgClosed)).
		Where("(b.total < o.low_balance_below AND NOT o.low_balance_alerted) OR (b.total >= o.low_balance_below AND o.low_balance_alerted)").
		Order("o.id").Limit(limit).Pluck("o.id", &ids).Error
	if err != nil {
		return nil, mapErr(err, "org")
	}
	return ids, nil
}
