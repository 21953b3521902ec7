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
