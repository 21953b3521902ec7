package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Extra credits paid (domain/extratransfer.go): extra_credit_purchases
// holds one row per counted order, written when it is paid; a period's
// read joins the orders for their refunds, on the (org_id, paid_at) index.

// extraCreditRow is a row of extra_credit_purchases with its order's
// amounts.
type extraCreditRow struct {
	OrderID  string
	OrgID    string
	Credits  int64
	PaidAt   time.Time
	Total    int64
	Refunded int64
}

// RecordExtraCredits implements domain.ExtraCreditStore.
func (d *DB) RecordExtraCredits(ctx context.Context, p domain.ExtraCreditPurchase) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	err = d.db(ctx).Exec(`INSERT INTO extra_credit_purchases (order_id, org_id, credits, paid_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (order_id) DO NOTHING`, p.OrderID, p.OrgID, p.Credits, utc(p.PaidAt)).Error
	return mapErr(err, "extra credit purchase")
}

// ExtraCreditPurchases implements domain.ExtraCreditStore.
func (d *DB) ExtraCreditPurchases(ctx context.Context, orgID string, from, to time.Time) ([]domain.ExtraCreditPurchase, error) {
	var rows []extraCreditRow
	err := d.db(ctx).Raw(`SELECT e.order_id, e.org_id, e.credits, e.paid_at, o.total, o.refunded
		FROM extra_credit_purchases e JOIN orders o ON o.id = e.order_id
		WHERE e.org_id = ? AND e.paid_at >= ? AND e.paid_at < ? ORDER BY e.paid_at, e.order_id`,
		orgID, utc(from), utc(to)).Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err, "extra credit purchase")
	}
	out := make([]domain.ExtraCreditPurchase, len(rows))
	for i, r := range rows {
		out[i] = domain.ExtraCreditPurchase{OrderID: r.OrderID, OrgID: r.OrgID, Credits: r.Credits, PaidAt: r.PaidAt.UTC(),
			OrderTotal: r.Total, Refunded: r.Refunded}
	}
	return out, nil
}
