-- +goose Up
-- Idempotency records are purged after a retention period, oldest first.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created_at;
