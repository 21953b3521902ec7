package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// purgeIdempotencySQL deletes the oldest records past retention, a batch at
// a time (row values work on PostgreSQL and SQLite alike).
const purgeIdempotencySQL = `DELETE FROM idempotency_keys WHERE (org_id, idem_key) IN (
  SELECT org_id, idem_key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)`

// PurgeIdempotency deletes up to limit idempotency records created before
// before and returns how many it deleted.
func (d *DB) PurgeIdempotency(ctx context.Context, before time.Time, limit int) (int, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	res, err := d.conn.ExecContext(ctx, purgeIdempotencySQL, before.UTC(), limit)
	if err != nil {
		return 0, mapErr(err, "idempotency key")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(err, "idempotency key")
	}
	return int(n), nil
}

// CreateIdempotency records a key outside a balance change (purchases);
// CONFLICT when the org already has it.
func (d *DB) CreateIdempotency(ctx context.Context, rec domain.IdempotencyRecord) error {
	r := fromDomainIdempotency(rec)
	if r.Response == nil {
		r.Response = []byte{} // the column is NOT NULL
	}
	return d.insert(ctx, "idempotency key", &r)
}

// DeleteIdempotency removes the org's record of key; NOT_FOUND when absent.
func (d *DB) DeleteIdempotency(ctx context.Context, orgID, key string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Where("org_id = ? AND idem_key = ?", orgID, key).Delete(&idempotencyRow{})
	if res.Error != nil {
		return mapErr(res.Error, "idempotency key")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("idempotency key")
	}
	return nil
}
