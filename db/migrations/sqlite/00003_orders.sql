-- Orders, invoices, gap-free counters and gateway event ids, SQLite flavour.
-- Keep in step with ../postgres. Money is INTEGER minor units with one
-- currency column per row; CHECKs make the database refuse amounts that do
-- not add up even if code is wrong. Orders and invoices are financial
-- records: deleting an org that has them fails instead of cascading.

-- +goose Up
CREATE TABLE orders (
    id              TEXT        PRIMARY KEY,
    number          TEXT        NOT NULL UNIQUE,
    org_id          TEXT        NOT NULL REFERENCES orgs (id),
    status          TEXT        NOT NULL CHECK (status IN ('PENDING', 'REQUIRES_ACTION', 'PROCESSING', 'PAID',
                                    'FAILED', 'CANCELED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
    currency        TEXT        NOT NULL,
    lines           TEXT        NOT NULL,
    subtotal        INTEGER     NOT NULL CHECK (subtotal >= 0),
    tax             INTEGER     NOT NULL CHECK (tax >= 0),
    tax_rate_bp     INTEGER     NOT NULL CHECK (tax_rate_bp >= 0),
    total           INTEGER     NOT NULL CHECK (total >= 0),
    credits         INTEGER     NOT NULL CHECK (credits >= 0),
    validity        TEXT        NOT NULL,
    expires_at      DATETIME,
    gateway         TEXT        NOT NULL,
    method          TEXT        NOT NULL,
    payment_id      TEXT,
    installments    TEXT,
    next_action     TEXT,
    failure_reason  TEXT        NOT NULL DEFAULT '',
    refunded        INTEGER     NOT NULL DEFAULT 0,
    grant_id        TEXT,
    invoice_details TEXT,
    created_by      TEXT        NOT NULL,
    created_at      DATETIME    NOT NULL,
    updated_at      DATETIME    NOT NULL,
    paid_at         DATETIME,
    version         INTEGER     NOT NULL CHECK (version >= 0),
    CHECK (total = subtotal + tax),
    CHECK (refunded >= 0 AND refunded <= total)
);
-- An org's orders, newest first (ListOrders' keyset).
CREATE INDEX orders_org_page_idx ON orders (org_id, created_at DESC, id DESC);
-- A gateway payment belongs to one order (OrderByPayment).
CREATE UNIQUE INDEX orders_payment_idx ON orders (gateway, payment_id) WHERE payment_id IS NOT NULL;
-- Stale unpaid orders, oldest first (OrdersToReconcile).
CREATE INDEX orders_reconcile_idx ON orders (status, updated_at);

-- One invoice per paid order, numbered without gaps per year.
CREATE TABLE invoices (
    id           TEXT        PRIMARY KEY,
    number       TEXT        NOT NULL UNIQUE,
    year         INTEGER     NOT NULL,
    seq          INTEGER     NOT NULL CHECK (seq > 0),
    org_id       TEXT        NOT NULL REFERENCES orgs (id),
    order_id     TEXT        NOT NULL UNIQUE REFERENCES orders (id),
    order_number TEXT        NOT NULL,
    issued_at    DATETIME    NOT NULL,
    billed_to    TEXT        NOT NULL,
    lines        TEXT        NOT NULL,
    subtotal     INTEGER     NOT NULL CHECK (subtotal >= 0),
    tax          INTEGER     NOT NULL CHECK (tax >= 0),
    tax_rate_bp  INTEGER     NOT NULL CHECK (tax_rate_bp >= 0),
    total        INTEGER     NOT NULL CHECK (total >= 0),
    currency     TEXT        NOT NULL,
    status       TEXT        NOT NULL CHECK (status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')),
    gateway      TEXT        NOT NULL,
    refunded     INTEGER     NOT NULL DEFAULT 0,
    CHECK (total = subtotal + tax),
    CHECK (refunded >= 0 AND refunded <= total),
    UNIQUE (year, seq)
);
CREATE INDEX invoices_org_page_idx ON invoices (org_id, issued_at DESC, id DESC);

-- Named gap-free counters (NextNumber): the immediate write transaction that
-- incremented one holds the database's write lock until it ends.
CREATE TABLE counters (
    name  TEXT        PRIMARY KEY,
    value INTEGER     NOT NULL CHECK (value > 0)
);

-- Gateway event ids already processed (webhook deduplication).
CREATE TABLE gateway_events (
    gateway     TEXT        NOT NULL,
    event_id    TEXT        NOT NULL,
    received_at DATETIME    NOT NULL,
    PRIMARY KEY (gateway, event_id)
);

-- An order grants credits at most once.
CREATE UNIQUE INDEX grants_order_idx ON grants (order_id) WHERE order_id IS NOT NULL;

-- +goose Down
DROP INDEX grants_order_idx;
DROP TABLE gateway_events;
DROP TABLE counters;
DROP TABLE invoices;
DROP TABLE orders;
