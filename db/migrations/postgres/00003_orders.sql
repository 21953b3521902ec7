-- Orders, invoices, gap-free counters and gateway event ids, PostgreSQL
-- flavour. Keep in step with ../sqlite. Money is bigint minor units with one
-- currency column per row; CHECKs make the database refuse amounts that do
-- not add up even if code is wrong. Orders and invoices are financial
-- records: deleting an org that has them fails instead of cascading.

-- +goose Up
CREATE TABLE orders (
    id              text        PRIMARY KEY,
    number          text        NOT NULL UNIQUE,
    org_id          text        NOT NULL REFERENCES orgs (id),
    status          text        NOT NULL CHECK (status IN ('PENDING', 'REQUIRES_ACTION', 'PROCESSING', 'PAID',
                                    'FAILED', 'CANCELED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
    currency        text        NOT NULL,
    lines           jsonb       NOT NULL,
    subtotal        bigint      NOT NULL CHECK (subtotal >= 0),
    tax             bigint      NOT NULL CHECK (tax >= 0),
    tax_rate_bp     integer     NOT NULL CHECK (tax_rate_bp >= 0),
    total           bigint      NOT NULL CHECK (total >= 0),
    credits         bigint      NOT NULL CHECK (credits >= 0),
    validity        text        NOT NULL,
    expires_at      timestamptz,
    gateway         text        NOT NULL,
    method          text        NOT NULL,
    payment_id      text,
    installments    jsonb,
    next_action     jsonb,
    failure_reason  text        NOT NULL DEFAULT '',
    refunded        bigint      NOT NULL DEFAULT 0,
    grant_id        text,
    invoice_details jsonb,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    paid_at         timestamptz,
    version         bigint      NOT NULL CHECK (version >= 0),
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
    id           text        PRIMARY KEY,
    number       text        NOT NULL UNIQUE,
    year         integer     NOT NULL,
    seq          bigint      NOT NULL CHECK (seq > 0),
    org_id       text        NOT NULL REFERENCES orgs (id),
    order_id     text        NOT NULL UNIQUE REFERENCES orders (id),
    order_number text        NOT NULL,
    issued_at    timestamptz NOT NULL,
    billed_to    jsonb       NOT NULL,
    lines        jsonb       NOT NULL,
    subtotal     bigint      NOT NULL CHECK (subtotal >= 0),
    tax          bigint      NOT NULL CHECK (tax >= 0),
    tax_rate_bp  integer     NOT NULL CHECK (tax_rate_bp >= 0),
    total        bigint      NOT NULL CHECK (total >= 0),
    currency     text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')),
    gateway      text        NOT NULL,
    refunded     bigint      NOT NULL DEFAULT 0,
    CHECK (total = subtotal + tax),
    CHECK (refunded >= 0 AND refunded <= total),
    UNIQUE (year, seq)
);
CREATE INDEX invoices_org_page_idx ON invoices (org_id, issued_at DESC, id DESC);

-- Named gap-free counters (NextNumber): the row stays locked by the
-- transaction that incremented it until that transaction ends.
CREATE TABLE counters (
    name  text   PRIMARY KEY,
    value bigint NOT NULL CHECK (value > 0)
);

-- Gateway event ids already processed (webhook deduplication).
CREATE TABLE gateway_events (
    gateway     text        NOT NULL,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL,
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
