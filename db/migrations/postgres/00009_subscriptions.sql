-- +goose Up
-- Plan subscriptions. An org has at most one live subscription (any status
-- but ENDED); ended ones are kept as history. Periods are counted from
-- anchor in whole months (years on annual plans), period is the index of
-- the current one.
CREATE TABLE subscriptions (
    id                   text        PRIMARY KEY,
    org_id               text        NOT NULL REFERENCES orgs (id),
    plan_id              text        NOT NULL REFERENCES plans (id),
    seats                integer     NOT NULL CHECK (seats > 0),
    status               text        NOT NULL CHECK (status IN ('INCOMPLETE', 'ACTIVE', 'PAST_DUE', 'ENDED')),
    currency             text        NOT NULL,
    gateway              text        NOT NULL,
    payment_method_id    text,
    installments         integer     NOT NULL DEFAULT 1 CHECK (installments >= 1),
    anchor               timestamptz NOT NULL,
    period               integer     NOT NULL CHECK (period >= 0),
    current_period_start timestamptz NOT NULL,
    current_period_end   timestamptz NOT NULL,
    next_reset_at        timestamptz NOT NULL,
    auto_renew           boolean     NOT NULL DEFAULT false,
    cancel_at_period_end boolean     NOT NULL DEFAULT false,
    pending_plan_id      text        REFERENCES plans (id),
    pending_seats        integer     CHECK (pending_seats > 0),
    latest_order_id      text,
    renewal_failure      text        NOT NULL DEFAULT '',
    created_by           text        NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    ended_at             timestamptz,
    version              bigint      NOT NULL CHECK (version >= 0),
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
ALTER TABLE orders ADD COLUMN subscription_id     text REFERENCES subscriptions (id);
ALTER TABLE orders ADD COLUMN subscription_action text CHECK (subscription_action IN ('SUBSCRIBE', 'RENEW', 'CHANGE_PLAN', 'ADD_SEATS'));
ALTER TABLE orders ADD COLUMN sub_plan_id         text;
ALTER TABLE orders ADD COLUMN sub_seats           integer;
ALTER TABLE orders ADD COLUMN sub_period_start    timestamptz;
ALTER TABLE orders ADD COLUMN sub_period_end      timestamptz;
CREATE UNIQUE INDEX orders_renewal_idx ON orders (subscription_id, sub_period_start)
    WHERE subscription_action = 'RENEW' AND status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED');
CREATE INDEX orders_subscription_idx ON orders (subscription_id) WHERE subscription_id IS NOT NULL;

-- Payment methods saved with a gateway for charges without the buyer.
CREATE TABLE payment_methods (
    id           text        PRIMARY KEY,
    org_id       text        NOT NULL REFERENCES orgs (id),
    gateway      text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('CARD', 'PAYPAL')),
    ref          text        NOT NULL,
    customer_ref text        NOT NULL DEFAULT '',
    setup_ref    text        NOT NULL DEFAULT '',
    status       text        NOT NULL CHECK (status IN ('PENDING', 'ACTIVE')),
    brand        text        NOT NULL DEFAULT '',
    last4        text        NOT NULL DEFAULT '',
    exp_month    integer     NOT NULL DEFAULT 0,
    exp_year     integer     NOT NULL DEFAULT 0,
    is_default   boolean     NOT NULL DEFAULT false,
    next_action  jsonb,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
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
