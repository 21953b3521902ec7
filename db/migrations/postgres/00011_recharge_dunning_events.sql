-- +goose Up
-- Dunning: when a subscription went PAST_DUE, how many off-session retries
-- of its renewal have run, and when the next one is due (NULL: none left).
ALTER TABLE subscriptions ADD COLUMN past_due_at      timestamptz;
ALTER TABLE subscriptions ADD COLUMN dunning_attempts integer NOT NULL DEFAULT 0 CHECK (dunning_attempts >= 0);
ALTER TABLE subscriptions ADD COLUMN next_retry_at    timestamptz;
CREATE INDEX subscriptions_dunning_idx ON subscriptions (past_due_at) WHERE status = 'PAST_DUE';

-- When the org was suspended (its retention runs from there to CLOSED).
ALTER TABLE orgs ADD COLUMN suspended_at timestamptz;
CREATE INDEX orgs_suspended_idx ON orgs (suspended_at) WHERE status = 'SUSPENDED';
-- Thresholds read with the balance on every spend, so that the spend can
-- tell, after it committed, whether to look at auto-recharge or the low
-- balance alert without another read: recharge_below is the auto-recharge
-- threshold while it is enabled and not paused (0: off); low_balance_below
-- is the alert's threshold (0: off), low_balance_alerted whether the
-- balance is below it and the alert went out (cleared when it is back up).
ALTER TABLE orgs ADD COLUMN recharge_below      bigint  NOT NULL DEFAULT 0 CHECK (recharge_below >= 0);
ALTER TABLE orgs ADD COLUMN low_balance_below   bigint  NOT NULL DEFAULT 0 CHECK (low_balance_below >= 0);
ALTER TABLE orgs ADD COLUMN low_balance_alerted boolean NOT NULL DEFAULT false;

-- Auto-recharge settings, one row per org that ever configured them.
CREATE TABLE auto_recharges (
    org_id            text        PRIMARY KEY REFERENCES orgs (id),
    enabled           boolean     NOT NULL,
    mode              text        NOT NULL CHECK (mode IN ('PACK', 'OVERAGE')),
    threshold         bigint      NOT NULL CHECK (threshold >= 0),
    pack_id           text        REFERENCES packs (id),
    quantity          integer     NOT NULL CHECK (quantity > 0),
    spending_limit    bigint      NOT NULL CHECK (spending_limit > 0),
    currency          text        NOT NULL,
    payment_method_id text,
    paused_at         timestamptz,
    pause_reason      text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint      NOT NULL CHECK (version >= 0)
);

-- Orders an automatic top-up made ('PACK' or 'OVERAGE'; NULL for the rest).
ALTER TABLE orders ADD COLUMN auto_recharge text CHECK (auto_recharge IN ('PACK', 'OVERAGE'));
-- Never two automatic top-ups in flight for one org, whichever instance or
-- race tries: the second insert fails here.
CREATE UNIQUE INDEX orders_auto_recharge_in_flight_idx ON orders (org_id)
    WHERE auto_recharge IS NOT NULL AND status IN ('PENDING', 'REQUIRES_ACTION', 'PROCESSING');
-- Top-ups of a period (the spending limit).
CREATE INDEX orders_auto_recharge_idx ON orders (org_id, created_at) WHERE auto_recharge IS NOT NULL;

-- The org's history of billing transitions (past due, suspended, restored,
-- closed, top-ups, alerts). An event that notifies is also the outbox of
-- its email: sent_at is set once the mail server took it. key is unique,
-- so one transition is recorded, and mailed, once.
CREATE TABLE org_events (
    id         text        PRIMARY KEY,
    org_id     text        NOT NULL REFERENCES orgs (id),
    kind       text        NOT NULL,
    key        text        NOT NULL UNIQUE,
    detail     jsonb       NOT NULL,
    created_at timestamptz NOT NULL,
    notify     boolean     NOT NULL,
    sent_at    timestamptz,
    attempts   integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error text        NOT NULL DEFAULT ''
);
CREATE INDEX org_events_org_page_idx ON org_events (org_id, created_at DESC, id DESC);
CREATE INDEX org_events_unsent_idx ON org_events (created_at) WHERE notify AND sent_at IS NULL;

-- +goose Down
DROP TABLE org_events;
DROP INDEX orders_auto_recharge_idx;
DROP INDEX orders_auto_recharge_in_flight_idx;
ALTER TABLE orders DROP COLUMN auto_recharge;
DROP TABLE auto_recharges;
ALTER TABLE orgs DROP COLUMN low_balance_alerted;
ALTER TABLE orgs DROP COLUMN low_balance_below;
ALTER TABLE orgs DROP COLUMN recharge_below;
DROP INDEX orgs_suspended_idx;
ALTER TABLE orgs DROP COLUMN suspended_at;
DROP INDEX subscriptions_dunning_idx;
ALTER TABLE subscriptions DROP COLUMN next_retry_at;
ALTER TABLE subscriptions DROP COLUMN dunning_attempts;
ALTER TABLE subscriptions DROP COLUMN past_due_at;
