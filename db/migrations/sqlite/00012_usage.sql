-- +goose Up
-- What a plan does with usage past a limit: FLAG accepts and marks it,
-- REFUSE refuses further events of the metric until the period resets.
ALTER TABLE plans ADD COLUMN over_limit TEXT NOT NULL DEFAULT 'FLAG' CHECK (over_limit IN ('FLAG', 'REFUSE'));

-- Usage events reported by the product, one row per (org, event id): a
-- retried event or batch inserts nothing the second time and counts once.
-- member_id is '' for usage of the whole org.
CREATE TABLE usage_events (
    org_id       TEXT        NOT NULL REFERENCES orgs (id),
    id           TEXT        NOT NULL,
    metric       TEXT        NOT NULL,
    quantity     INTEGER      NOT NULL CHECK (quantity >= 0),
    event_time   DATETIME NOT NULL,
    member_id    TEXT        NOT NULL,
    period_start DATETIME NOT NULL,
    received_at  DATETIME NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- Per-period totals: one row per (org, metric, period, member), member_id
-- '' for the org-wide total. Counters add up; STORAGE_BYTES is a gauge
-- holding the value of its latest event (last_event_ns, Unix nanoseconds).
-- over_limit_events counts events accepted past the plan's limit (FLAG).
-- Past periods are kept.
CREATE TABLE usage_totals (
    org_id            TEXT        NOT NULL REFERENCES orgs (id),
    metric            TEXT        NOT NULL,
    period_start      DATETIME NOT NULL,
    member_id         TEXT        NOT NULL,
    period_end        DATETIME NOT NULL,
    quantity          INTEGER      NOT NULL CHECK (quantity >= 0),
    last_event_ns     INTEGER      NOT NULL DEFAULT 0,
    over_limit_events INTEGER      NOT NULL DEFAULT 0 CHECK (over_limit_events >= 0),
    PRIMARY KEY (org_id, metric, period_start, member_id)
);
CREATE INDEX usage_totals_period_idx ON usage_totals (org_id, period_start);

-- +goose Down
DROP TABLE usage_totals;
DROP TABLE usage_events;
ALTER TABLE plans DROP COLUMN over_limit;
