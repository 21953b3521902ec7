package db

import (
	"context"
	"time"
)

// hitRateWindowSQL counts one hit in a key's window in one statement: on
// PostgreSQL the upsert takes the row lock, so concurrent hits of one key
// queue and each sees its own count; SQLite's write lock does the same.
const hitRateWindowSQL = `INSERT INTO rate_windows (key, window_start, expires_at, n) VALUES ($1, $2, $3, 1)
ON CONFLICT (key, window_start) DO UPDATE SET n = rate_windows.n + 1
RETURNING n`

// HitRateWindow adds one to key's count in the window that starts at
// start, creating it at 1 to be purged after expires, and returns the new
// count. Outside InTx it commits at once.
func (d *DB) HitRateWindow(ctx context.Context, key string, start, expires time.Time) (int64, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	var n int64
	if err := queryRow(ctx, d.conn, []any{&n}, hitRateWindowSQL, key, utc(start), utc(expires)); err != nil {
		return 0, mapErr(err, "rate window")
	}
	return n, nil
}

// RateWindowCount returns key's count in the window that starts at start;
// 0 when there is none.
func (d *DB) RateWindowCount(ctx context.Context, key string, start time.Time) (int64, error) {
	var n int64
	rows, err := d.conn.QueryContext(ctx, `SELECT n FROM rate_windows WHERE key = $1 AND window_start = $2`, key, utc(start))
	if err != nil {
		return 0, mapErr(err, "rate window")
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, mapErr(err, "rate window")
		}
	}
	return n, mapErr(rows.Err(), "rate window")
}

// purgeRateWindowsSQL deletes a batch of windows that have ended.
const purgeRateWindowsSQL = `DELETE FROM rate_windows WHERE (key, window_start) IN (
  SELECT key, window_start FROM rate_windows WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)`

// PurgeRateWindows deletes up to limit windows that expired before before
// and returns how many it deleted.
func (d *DB) PurgeRateWindows(ctx context.Context, before time.Time, limit int) (int, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	res, err := d.conn.ExecContext(ctx, purgeRateWindowsSQL, utc(before), limit)
	if err != nil {
		return 0, mapErr(err, "rate window")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(err, "rate window")
	}
	return int(n), nil
}
