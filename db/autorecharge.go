package db

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/tallyhq/tally/domain"
)

// autoRechargeRow is a row of auto_recharges.
type autoRechargeRow struct {
	OrgID           string `gorm:"primaryKey"`
	Enabled         bool
	Mode            string
	Threshold       int64
	PackID          *string
	Quantity        int
	SpendingLimit   int64
	Currency        string
	PaymentMethodID *string
	PausedAt        *time.Time
	PauseReason     string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
}

func (autoRechargeRow) TableName() string { return "auto_recharges" }

func toDomainAutoRecharge(r autoRechargeRow) domain.AutoRecharge {
	return domain.AutoRecharge{
		OrgID: r.OrgID, Enabled: r.Enabled, Mode: domain.AutoRechargeMode(r.Mode), Threshold: r.Threshold,
		PackID: strVal(r.PackID), Quantity: r.Quantity,
		SpendingLimit:   domain.Money{AmountMinor: r.SpendingLimit, Currency: domain.Currency(r.Currency)},
		PaymentMethodID: strVal(r.PaymentMethodID), PausedAt: utcPtr(r.PausedAt), PauseReason: r.PauseReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

func fromDomainAutoRecharge(a domain.AutoRecharge) autoRechargeRow {
	return autoRechargeRow{
		OrgID: a.OrgID, Enabled: a.Enabled, Mode: string(a.Mode), Threshold: a.Threshold,
		PackID: strPtr(a.PackID), Quantity: a.Quantity,
		SpendingLimit: a.SpendingLimit.AmountMinor, Currency: string(a.SpendingLimit.Currency),
		PaymentMethodID: strPtr(a.PaymentMethodID), PausedAt: utcPtr(a.PausedAt), PauseReason: a.PauseReason,
		CreatedAt: utc(a.CreatedAt), UpdatedAt: utc(a.UpdatedAt), Version: a.Version,
	}
}

// AutoRechargeByOrg returns the org's settings or NOT_FOUND.
func (d *DB) AutoRechargeByOrg(ctx context.Context, orgID string) (domain.AutoRecharge, error) {
	var r autoRechargeRow
	if err := d.db(ctx).Where("org_id = ?", orgID).Take(&r).Error; err != nil {
		return domain.AutoRecharge{}, mapErr(err, "auto-recharge settings")
	}
	return toDomainAutoRecharge(r), nil
}

// LockAutoRecharge returns the org's settings or NOT_FOUND. On PostgreSQL
// it locks the row (FOR UPDATE) until the transaction ends: every
// auto-recharge decision of the org queues here, on every instance. On
// SQLite the immediate write transaction already holds the database's
// write lock.
func (d *DB) LockAutoRecharge(ctx context.Context, orgID string) (domain.AutoRecharge, error) {
	q := d.db(ctx)
	if d.dialect == DialectPostgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var r autoRechargeRow
	if err := q.Where("org_id = ?", orgID).Take(&r).Error; err != nil {
		return domain.AutoRecharge{}, mapErr(err, "auto-recharge settings")
	}
	return toDomainAutoRecharge(r), nil
}

// SaveAutoRecharge upserts the settings row and sets orgs.recharge_below;
// run it inside InTx so both change together. NOT_FOUND for an unknown org.
func (d *DB) SaveAutoRecharge(ctx context.Context, a domain.AutoRecharge, rechargeBelow int64) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromDomainAutoRecharge(a)
	err = d.db(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "org_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"enabled", "mode", "threshold", "pack_id", "quantity",
			"spending_limit", "currency", "payment_method_id", "paused_at", "pause_reason", "updated_at", "version"}),
	}).Create(&r).Error
	if err != nil {
		return mapErr(err, "auto-recharge settings")
	}
	res := d.db(ctx).Model(&orgRow{}).Where("id = ?", a.OrgID).Update("recharge_below", rechargeBelow)
	return affectedOne(res.Error, res.RowsAffected, "org")
}

// AutoRechargeOrders lists the org's auto-recharge orders created in
// [from, to), newest first (orders_auto_recharge_idx).
func (d *DB) AutoRechargeOrders(ctx context.Context, orgID string, from, to time.Time) ([]domain.Order, error) {
	var rows []orderRow
	err := d.db(ctx).Where("org_id = ? AND auto_recharge IS NOT NULL AND created_at >= ? AND created_at < ?", orgID, utc(from), utc(to)).
		Order("created_at DESC, id DESC").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "order")
	}
	out := make([]domain.Order, len(rows))
	for i, r := range rows {
		out[i] = toDomainOrder(r)
	}
	return out, nil
}

// LatestAutoRechargeOrder returns the org's newest auto-recharge order or
// NOT_FOUND.
func (d *DB) LatestAutoRechargeOrder(ctx context.Context, orgID string) (domain.Order, error) {
	return orderWhere(d.db(ctx).Order("created_at DESC, id DESC"), "org_id = ? AND auto_recharge IS NOT NULL", orgID)
}

// OrgsBelowRecharge lists up to limit live orgs whose balance is below
// their recharge_below with no auto-recharge order in flight.
func (d *DB) OrgsBelowRecharge(ctx context.Context, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ids []string
	err := d.db(ctx).Raw(`SELECT o.id FROM orgs o JOIN org_balances b ON b.org_id = o.id
WHERE o.recharge_below > 0 AND b.total < o.recharge_below AND o.deleted_at IS NULL
AND NOT EXISTS (SELECT 1 FROM orders r WHERE r.org_id = o.id AND r.auto_recharge IS NOT NULL
  AND r.status IN ('PENDING', 'REQUIRES_ACTION', 'PROCESSING'))
ORDER BY o.id LIMIT ?`, limit).Scan(&ids).Error
	return ids, mapErr(err, "org")
}
