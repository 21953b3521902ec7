-- +goose Up
-- Credit notes: an invoice is never changed once issued; each refund
-- issues a credit note against it instead, numbered without gaps per year
-- in its own series (the counters table, series CN-<year>). Amounts are
-- negative. invoices.status and invoices.refunded are no longer written:
-- reads derive them from the credit notes (refunded keeps what was
-- refunded before this migration, which has no credit note).
CREATE TABLE credit_notes (
    id             TEXT        PRIMARY KEY,
    number         TEXT        NOT NULL UNIQUE,
    year           INTEGER     NOT NULL,
    seq            INTEGER     NOT NULL CHECK (seq > 0),
    org_id         TEXT        NOT NULL REFERENCES orgs (id),
    invoice_id     TEXT        NOT NULL REFERENCES invoices (id),
    invoice_number TEXT        NOT NULL,
    order_id       TEXT        NOT NULL REFERENCES orders (id),
    order_number   TEXT        NOT NULL,
    issued_at      DATETIME    NOT NULL,
    billed_to      TEXT        NOT NULL,
    lines          TEXT        NOT NULL,
    subtotal       INTEGER     NOT NULL CHECK (subtotal <= 0),
    tax            INTEGER     NOT NULL CHECK (tax <= 0),
    tax_rate_bp    INTEGER     NOT NULL CHECK (tax_rate_bp >= 0),
    total          INTEGER     NOT NULL CHECK (total < 0),
    currency       TEXT        NOT NULL,
    reason         TEXT        NOT NULL,
    gateway        TEXT        NOT NULL,
    CHECK (total = subtotal + tax),
    UNIQUE (year, seq)
);
CREATE INDEX credit_notes_org_page_idx ON credit_notes (org_id, issued_at DESC, id DESC);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id, issued_at, id);

-- +goose Down
DROP TABLE credit_notes;
