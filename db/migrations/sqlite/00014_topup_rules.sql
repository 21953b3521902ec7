-- +goose Up
-- Top-up by amount (issue 16): one rule per currency. The credit price is
-- credits per unit_minor minor units (two integers, so it is exact);
-- presets are the amounts offered, in minor units, a JSON array.
CREATE TABLE topup_rules (
    currency    TEXT        PRIMARY KEY,
    credits     INTEGER     NOT NULL CHECK (credits > 0),
    unit_minor  INTEGER     NOT NULL CHECK (unit_minor > 0),
    presets     TEXT        NOT NULL,
    min_minor   INTEGER     NOT NULL CHECK (min_minor > 0),
    max_minor   INTEGER     NOT NULL CHECK (max_minor >= min_minor),
    validity    TEXT        NOT NULL CHECK (validity IN ('NEVER', 'BILLING_CYCLE')),
    active      BOOLEAN     NOT NULL DEFAULT 1,
    updated_at  DATETIME    NOT NULL
);

-- +goose Down
DROP TABLE topup_rules;
