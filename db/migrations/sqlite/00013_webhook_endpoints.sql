-- +goose Up
-- Outbound webhooks (issue 11). org_events is their outbox: seq orders an
-- org's events for receivers (the rowid, so it grows with every insert;
-- two concurrent transactions may commit out of seq order, which is why
-- receivers order by it rather than by arrival), fanned_out_at is set once
-- the event's deliveries were created (NULL: the fan-out sweep still has
-- it). Events recorded before webhooks existed count as fanned out.
ALTER TABLE org_events ADD COLUMN seq INTEGER;
UPDATE org_events SET seq = rowid;
-- seq is the rowid, copied on insert so that VACUUM (which may renumber
-- rowids of a table without an INTEGER PRIMARY KEY) cannot change it.
-- +goose StatementBegin
CREATE TRIGGER org_events_seq AFTER INSERT ON org_events FOR EACH ROW WHEN NEW.seq IS NULL
BEGIN
    UPDATE org_events SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
-- +goose StatementEnd
ALTER TABLE org_events ADD COLUMN fanned_out_at DATETIME;
UPDATE org_events SET fanned_out_at = created_at;
CREATE UNIQUE INDEX org_events_seq_idx ON org_events (seq);
CREATE INDEX org_events_unfanned_idx ON org_events (seq) WHERE fanned_out_at IS NULL;

-- An org's webhook endpoints. secret signs every delivery; during a
-- rotation previous_secret signs too, until previous_secret_until.
-- failing_since is the first failed attempt since the last success (NULL:
-- healthy); disabled_reason says why the endpoint was disabled for failing.
CREATE TABLE webhook_endpoints (
    id                    TEXT        PRIMARY KEY,
    org_id                TEXT        NOT NULL REFERENCES orgs (id),
    url                   TEXT        NOT NULL,
    description           TEXT        NOT NULL DEFAULT '',
    event_types           TEXT       NOT NULL,
    enabled               BOOLEAN     NOT NULL,
    secret                TEXT        NOT NULL,
    previous_secret       TEXT        NOT NULL DEFAULT '',
    previous_secret_until DATETIME,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL,
    failing_since         DATETIME,
    disabled_reason       TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, created_at);

-- One delivery per event and endpoint. A worker claims a due delivery by
-- setting lease_until (claims counts the claims, so each gets its own job);
-- a worker that crashed leaves the lease to expire and the delivery is
-- claimed again.
CREATE TABLE webhook_deliveries (
    id               TEXT        PRIMARY KEY,
    org_id           TEXT        NOT NULL,
    endpoint_id      TEXT        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         TEXT        NOT NULL REFERENCES org_events (id),
    event_type       TEXT        NOT NULL,
    status           TEXT        NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts         INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claims           INTEGER     NOT NULL DEFAULT 0 CHECK (claims >= 0),
    next_attempt_at  DATETIME,
    lease_until      DATETIME,
    last_status_code INTEGER     NOT NULL DEFAULT 0,
    last_latency_ms  INTEGER     NOT NULL DEFAULT 0,
    last_error       TEXT        NOT NULL DEFAULT '',
    last_response    TEXT        NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

-- Every attempt of a delivery (the delivery log).
CREATE TABLE webhook_attempts (
    id          TEXT        PRIMARY KEY,
    delivery_id TEXT        NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          DATETIME NOT NULL,
    status_code INTEGER     NOT NULL DEFAULT 0,
    latency_ms  INTEGER     NOT NULL DEFAULT 0,
    error       TEXT        NOT NULL DEFAULT '',
    response    TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, at);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP INDEX org_events_unfanned_idx;
DROP INDEX org_events_seq_idx;
ALTER TABLE org_events DROP COLUMN fanned_out_at;
DROP TRIGGER org_events_seq;
ALTER TABLE org_events DROP COLUMN seq;
