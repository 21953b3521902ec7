-- +goose Up
-- Data transfer, a usage metric (issue 16): the plan's limit per period
-- (0 = unlimited) and what extra credits add to it. Every whole block of
-- data_transfer_block_credits extra credits paid in a period adds
-- data_transfer_per_block bytes to that period's allowance (both 0: extra
-- credits add nothing).
ALTER TABLE plans ADD COLUMN limit_data_transfer_bytes bigint NOT NULL DEFAULT 0 CHECK (limit_data_transfer_bytes >= 0);
ALTER TABLE plans ADD COLUMN data_transfer_block_credits bigint NOT NULL DEFAULT 0 CHECK (data_transfer_block_credits >= 0);
ALTER TABLE plans ADD COLUMN data_transfer_per_block bigint NOT NULL DEFAULT 0 CHECK (data_transfer_per_block >= 0);

-- Extra credits paid: one row per order whose credits count as extra
-- credits (bought on top of a paid plan), written in the transaction that
-- makes the order PAID. The allowance of a period sums the rows paid in
-- it, less what refunds took back (read from the order), in one indexed
-- query.
CREATE TABLE extra_credit_purchases (
    order_id text        PRIMARY KEY REFERENCES orders (id),
    org_id   text        NOT NULL REFERENCES orgs (id),
    credits  bigint      NOT NULL CHECK (credits > 0),
    paid_at  timestamptz NOT NULL
);
CREATE INDEX extra_credit_purchases_period_idx ON extra_credit_purchases (org_id, paid_at);

-- +goose Down
DROP TABLE extra_credit_purchases;
ALTER TABLE plans DROP COLUMN data_transfer_per_block;
ALTER TABLE plans DROP COLUMN data_transfer_block_credits;
ALTER TABLE plans DROP COLUMN limit_data_transfer_bytes;
