-- +goose Up
-- Credit notes: an invoice is never changed once issued; each refund
-- issues a credit note against it instead, numbered without gaps per year
-- in its own series (the counters table, series CN-<year>). Amounts are
-- negative. invoices.status and invoices.refunded are no longer written:
-- reads derive them from the credit notes (refunded keeps what was
-- refunded before this migration, which has no credit note).
CREATE TABLE credit_notes (
    id             text        PRIMARY KEY,
    number         text        NOT NULL UNIQUE,
    year           integer     NOT NULL,
    seq            bigint      NOT NULL CHECK (seq > 0),
    org_id         text        NOT NULL REFERENCES orgs (id),
    invoice_id     text        NOT NULL REFERENCES invoices (id),
    invoice_number text        NOT NULL,
    order_id       text        NOT NULL REFERENCES orders (id),
    order_number   text        NOT NULL,
    issued_at      timestamptz NOT NULL,
    billed_to      jsonb       NOT NULL,
    lines          jsonb       NOT NULL,
    subtotal       bigint      NOT NULL CHECK (subtotal <= 0),
    tax            bigint      NOT NULL CHECK (tax <= 0),
    tax_rate_bp    integer     NOT NULL CHECK (tax_rate_bp >= 0),
    total          bigint      NOT NULL CHECK (total < 0),
    currency       text        NOT NULL,
    reason         text        NOT NULL,
    gateway        text        NOT NULL,
    CHECK (total = subtotal + tax),
    UNIQUE (year, seq)
);
CREATE INDEX credit_notes_org_page_idx ON credit_notes (org_id, issued_at DESC, id DESC);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id, issued_at, id);

-- +goose Down
DROP TABLE credit_notes;
