package db

import "context"

// nextNumberSQL increments a counter, creating it at 1. On PostgreSQL the
// upsert keeps the row locked until the transaction ends, so a concurrent
// transaction taking the next number waits and sees the outcome: numbers
// taken by a transaction that rolls back are reused. SQLite (3.35+ for
// RETURNING) gets the same from its write transaction's database lock.
const nextNumberSQL = `INSERT INTO counters (name, value) VALUES ($1, 1)
ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
RETURNING value`

// NextNumber increments and returns the counter named series, starting at
// 1. Inside InTx numbering has no gaps (see nextNumberSQL).
func (d *DB) NextNumber(ctx context.Context, series string) (int64, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	var n int64
	if err := queryRow(ctx, d.conn, []any{&n}, nextNumberSQL, series); err != nil {
		return 0, mapErr(err, "counter")
	}
	return n, nil
}
