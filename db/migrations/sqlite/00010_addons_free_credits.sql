-- +goose Up
-- Recurring credit add-ons of a plan subscription (RECURRING packs). Each
-- grants credits_per_month at every monthly reset of its subscription until
-- term_end; it renews with the subscription (term_end moves on) or ends.
CREATE TABLE subscription_addons (
    id                TEXT        PRIMARY KEY,
    org_id            TEXT        NOT NULL REFERENCES orgs (id),
    subscription_id   TEXT        NOT NULL REFERENCES subscriptions (id),
    order_id          TEXT        NOT NULL REFERENCES orders (id),
    pack_id           TEXT        NOT NULL REFERENCES packs (id),
    quantity          INTEGER     NOT NULL CHECK (quantity > 0),
    credits_per_month INTEGER     NOT NULL CHECK (credits_per_month > 0),
    term_end          DATETIME    NOT NULL,
    status            TEXT        NOT NULL CHECK (status IN ('ACTIVE', 'ENDED')),
    created_at        DATETIME    NOT NULL,
    updated_at        DATETIME    NOT NULL,
    version           INTEGER     NOT NULL CHECK (version >= 0)
);
-- One add-on per paying order: fulfilling an order twice cannot make two.
CREATE UNIQUE INDEX subscription_addons_order_idx ON subscription_addons (order_id);
CREATE INDEX subscription_addons_subscription_idx ON subscription_addons (subscription_id, created_at);

-- The Free plan's monthly credits: when the org's next monthly FREE grant
-- is due, on a schedule anchored at the org's creation (NULL for deleted
-- orgs). Existing orgs are due at once.
ALTER TABLE orgs ADD COLUMN free_reset_at DATETIME   ;
UPDATE orgs SET free_reset_at = created_at WHERE deleted_at IS NULL;
CREATE INDEX orgs_free_reset_idx ON orgs (free_reset_at) WHERE free_reset_at IS NOT NULL;

-- +goose Down
DROP INDEX orgs_free_reset_idx;
ALTER TABLE orgs DROP COLUMN free_reset_at;
DROP TABLE subscription_addons;
