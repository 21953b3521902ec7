-- +goose Up
-- Top-up by amount (issue 16): one rule per currency. The credit price is
-- credits per unit_minor minor units (two integers, so it is exact);
-- presets are the amounts offered, in minor units, a JSON array.
CREATE TABLE topup_rules (
    currency    text        PRIMARY KEY,
    credits     bigint      NOT NULL CHECK (credits > 0),
    unit_minor  bigint      NOT NULL CHECK (unit_minor > 0),
    presets     jsonb       NOT NULL,
    min_minor   bigint      NOT NULL CHECK (min_minor > 0),
    max_minor   bigint      NOT NULL CHECK (max_minor >= min_minor),
    validity    text        NOT NULL CHECK (validity IN ('NEVER', 'BILLING_CYCLE')),
    active      boolean     NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE topup_rules;
