package db

import (
	"context"
	"time"
)

// recordGatewayEventSQL inserts an event id unless it is there. On
// PostgreSQL an insert racing an uncommitted one of the same id waits for
// that transaction: it then does nothing if it committed, inserts if it
// rolled back.
const recordGatewayEventSQL = `INSERT INTO gateway_events (gateway, event_id, received_at) VALUES ($1, $2, $3)
ON CONFLICT (gateway, event_id) DO NOTHING`

// RecordGatewayEvent remembers a gateway's event id; false when it was
// already recorded (a duplicate delivery). Inside InTx the record commits
// or rolls back with the transaction.
func (d *DB) RecordGatewayEvent(ctx context.Context, gateway, eventID string, at time.Time) (bool, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	res, err := d.conn.ExecContext(ctx, recordGatewayEventSQL, gateway, eventID, utc(at))
	if err != nil {
		return false, mapErr(err, "gateway event")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapErr(err, "gateway event")
	}
	return n == 1, nil
}

// purgeGatewayEventsSQL deletes the oldest event ids past retention, a
// batch at a time.
const purgeGatewayEventsSQL = `DELETE FROM gateway_events WHERE (gateway, event_id) IN (
  SELECT gateway, event_id FROM gateway_events WHERE received_at < $1 ORDER BY received_at LIMIT $2)`

// PurgeGatewayEvents deletes up to limit event ids received before before
// and returns how many it deleted.
func (d *DB) PurgeGatewayEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	res, err := d.conn.ExecContext(ctx, purgeGatewayEventsSQL, utc(before), limit)
	if err != nil {
		return 0, mapErr(err, "gateway event")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(err, "gateway event")
	}
	return int(n), nil
}
