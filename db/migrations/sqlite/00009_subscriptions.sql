-- +goose Up
-- Plan subscriptions. An org has at most one live subscription (any status
-- but ENDED); ended ones are kept as history. Periods are counted from
-- anchor in whole months (years on annual plans), period is the index of
-- the current one.
CREATE TABLE subscriptions (
    id                   TEXT        PRIMARY KEY,
    org_id               TEXT        NOT NULL REFERENCES orgs (id),
    plan_id              TEXT        NOT NULL REFERENCES plans (id),
    seats                INTEGER     NOT NULL CHECK (seats > 0),
    status               TEXT        NOT NULL CHECK (status IN ('INCOMPLETE', 'ACTIVE', 'PAST_DUE', 'ENDED')),
    currency             TEXT        NOT NULL,
    gateway              TEXT        NOT NULL,
    payment_method_id    TEXT,
    installments         INTEGER     NOT NULL DEFAULT 1 CHECK (installments >= 1),
    anchor               DATETIME    NOT NULL,
    period               INTEGER     NOT NULL CHECK (period >= 0),
    current_period_start DATETIME    NOT NULL,
    current_period_end   DATETIME    NOT NULL,
    next_reset_at        DATETIME    NOT NULL,
    auto_renew           BOOLEAN     NOT NULL DEFAULT 0,
    cancel_at_period_end BOOLEAN     NOT NULL DEFAULT 0,
    pending_plan_id      TEXT        REFERENCES plans (id),
    pending_seats        INTEGER     CHECK (pending_seats > 0),
    latest_order_id      TEXT,
    renewal_failure      TEXT        NOT NULL DEFAULT '',
    created_by           TEXT        NOT NULL,
    created_at           DATETIME    NOT NULL,
    updated_at           DATETIME    NOT NULL,
    ended_at             DATETIME   ,
    version              INTEGER      NOT NULL CHECK (version >= 0),
    CHECK (current_period_end > current_period_start),
    CHECK ((pending_plan_id IS NULL) = (pending_seats IS NULL))
);
CREATE UNIQUE INDEX subscriptions_live_idx ON subscriptions (org_id) WHERE status <> 'ENDED';
-- Renewals and resets that are due (SubscriptionsDue).
CREATE INDEX subscriptions_period_end_idx ON subscriptions (current_period_end) WHERE status <> 'ENDED';
CREATE INDEX subscriptions_reset_idx ON subscriptions (next_reset_at) WHERE status <> 'ENDED';

-- What a subscription order does once paid. At most one paid renewal per
-- period: whatever races or late payments happen, the database refuses to
-- accept money twice for one period. (Two renewal orders in flight for one
-- period are prevented by the subscription's row lock, under which every
-- renewal order is made.)
ALTER TABLE orders ADD COLUMN subscription_id     TEXT REFERENCES subscriptions (id);
ALTER TABLE orders ADD COLUMN subscription_action TEXT CHECK (subscription_action IN ('SUBSCRIBE', 'RENEW', 'CHANGE_PLAN', 'ADD_SEATS'));
ALTER TABLE orders ADD COLUMN sub_plan_id         TEXT;
ALTER TABLE orders ADD COLUMN sub_seats           INTEGER;
ALTER TABLE orders ADD COLUMN sub_period_start    DATETIME   ;
ALTER TABLE orders ADD COLUMN sub_period_end      DATETIME   ;
CREATE UNIQUE INDEX orders_renewal_idx ON orders (subscription_id, sub_period_start)
    WHERE subscription_action = 'RENEW' AND status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED');
CREATE INDEX orders_subscription_idx ON orders (subscription_id) WHERE subscription_id IS NOT NULL;

-- Payment methods saved with a gateway for charges without the buyer.
CREATE TABLE payment_methods (
    id           TEXT        PRIMARY KEY,
    org_id       TEXT        NOT NULL REFERENCES orgs (id),
    gateway      TEXT        NOT NULL,
    kind         TEXT        NOT NULL CHECK (kind IN ('CARD', 'PAYPAL')),
    ref          TEXT        NOT NULL,
    customer_ref TEXT        NOT NULL DEFAULT '',
    setup_ref    TEXT        NOT NULL DEFAULT '',
    status       TEXT        NOT NULL CHECK (status IN ('PENDING', 'ACTIVE')),
    brand        TEXT        NOT NULL DEFAULT '',
    last4        TEXT        NOT NULL DEFAULT '',
    exp_month    INTEGER     NOT NULL DEFAULT 0,
    exp_year     INTEGER     NOT NULL DEFAULT 0,
    is_default   BOOLEAN     NOT NULL DEFAULT 0,
    next_action  TEXT ,
    created_by   TEXT        NOT NULL,
    created_at   DATETIME    NOT NULL,
    updated_at   DATETIME    NOT NULL
);
CREATE INDEX payment_methods_org_idx ON payment_methods (org_id, created_at DESC);
CREATE UNIQUE INDEX payment_methods_default_idx ON payment_methods (org_id) WHERE is_default;

-- +goose Down
DROP TABLE payment_methods;
DROP INDEX orders_subscription_idx;
DROP INDEX orders_renewal_idx;
ALTER TABLE orders DROP COLUMN sub_period_end;
ALTER TABLE orders DROP COLUMN sub_period_start;
ALTER TABLE orders DROP COLUMN sub_seats;
ALTER TABLE orders DROP COLUMN sub_plan_id;
ALTER TABLE orders DROP COLUMN subscription_action;
ALTER TABLE orders DROP COLUMN subscription_id;
DROP TABLE subscriptions;
