-- +goose Up
-- Gateway event ids are forgotten after a retention period, oldest first.
CREATE INDEX gateway_events_received_at ON gateway_events (received_at);

-- +goose Down
DROP INDEX gateway_events_received_at;
