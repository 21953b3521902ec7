-- +goose Up
-- One checkout, several items (issue 16). An order bought through a draft
-- lists its items in items (NULL on every single-purchase order): each
-- item's kind, what it buys, the credits it grants with their validity,
-- and once paid its own grant and expiry. Its lines name their item
-- (lines[].itemId).
ALTER TABLE orders ADD COLUMN items jsonb;

-- An item's grant names the order (order_id) and the item (order_item).
-- Single-purchase orders keep one grant per order (order_item NULL); an
-- order with items gets one grant per item.
DROP INDEX grants_order_idx;
ALTER TABLE grants ADD COLUMN order_item text;
CREATE UNIQUE INDEX grants_order_idx ON grants (order_id) WHERE order_id IS NOT NULL AND order_item IS NULL;
CREATE UNIQUE INDEX grants_order_item_idx ON grants (order_id, order_item) WHERE order_item IS NOT NULL;

-- An order with items may buy several add-ons, one per RECURRING pack.
DROP INDEX subscription_addons_order_idx;
CREATE UNIQUE INDEX subscription_addons_order_idx ON subscription_addons (order_id, pack_id);

-- Draft orders: edited (items added, removed, requantified) and repriced
-- until checkout, which deletes the row when its version is still the one
-- the buyer saw and inserts the order under the same id. A draft is never
-- charged and is not an order awaiting payment.
CREATE TABLE order_drafts (
    id           text        PRIMARY KEY,
    org_id       text        NOT NULL REFERENCES orgs (id),
    currency     text        NOT NULL,
    items        jsonb       NOT NULL,
    lines        jsonb       NOT NULL,
    subtotal     bigint      NOT NULL CHECK (subtotal >= 0),
    tax          bigint      NOT NULL CHECK (tax >= 0),
    tax_rate_bp  integer     NOT NULL CHECK (tax_rate_bp >= 0),
    total        bigint      NOT NULL CHECK (total >= 0),
    credits      bigint      NOT NULL CHECK (credits >= 0),
    installments jsonb,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL CHECK (version > 0),
    CHECK (total = subtotal + tax)
);
-- An org's drafts, newest first; stale drafts, oldest first.
CREATE INDEX order_drafts_org_idx ON order_drafts (org_id, created_at DESC, id DESC);
CREATE INDEX order_drafts_stale_idx ON order_drafts (updated_at);

-- +goose Down
DROP TABLE order_drafts;
DROP INDEX subscription_addons_order_idx;
CREATE UNIQUE INDEX subscription_addons_order_idx ON subscription_addons (order_id);
DROP INDEX grants_order_item_idx;
DROP INDEX grants_order_idx;
ALTER TABLE grants DROP COLUMN order_item;
CREATE UNIQUE INDEX grants_order_idx ON grants (order_id) WHERE order_id IS NOT NULL;
ALTER TABLE orders DROP COLUMN items;
