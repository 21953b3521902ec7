-- Tally schema, PostgreSQL flavour. Keep version numbers and table shapes in
-- step with ../sqlite. Money-protecting CHECK constraints make the database
-- refuse a negative balance or an over-spent grant even if code is wrong.

-- +goose Up
CREATE TABLE users (
    id         text        PRIMARY KEY,
    subject    text        NOT NULL UNIQUE,
    email      text        NOT NULL,
    name       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE TABLE orgs (
    id         text        PRIMARY KEY,
    name       text        NOT NULL,
    country    text        NOT NULL,
    currency   text        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('ACTIVE', 'PAST_DUE', 'SUSPENDED', 'CLOSED')),
    seats      integer     NOT NULL CHECK (seats >= 0),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- One row per org: the counters every balance change locks (SELECT … FOR UPDATE).
CREATE TABLE org_balances (
    org_id     text        PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    total      bigint      NOT NULL DEFAULT 0 CHECK (total >= 0),
    free       bigint      NOT NULL DEFAULT 0 CHECK (free >= 0),
    paid       bigint      NOT NULL DEFAULT 0 CHECK (paid >= 0),
    version    bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at timestamptz NOT NULL,
    CHECK (total = free + paid)
);

CREATE TABLE memberships (
    org_id     text        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'BILLING', 'MEMBER')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE INDEX memberships_org_page_idx ON memberships (org_id, created_at, user_id);

CREATE TABLE invitations (
    id          text        PRIMARY KEY,
    org_id      text        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    email       text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'BILLING', 'MEMBER')),
    token_hash  text        NOT NULL UNIQUE,
    invited_by  text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by text,
    revoked_at  timestamptz
);
CREATE INDEX invitations_org_idx ON invitations (org_id, created_at);

CREATE TABLE api_keys (
    id           text        PRIMARY KEY,
    org_id       text        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    prefix       text        NOT NULL,
    hash         text        NOT NULL UNIQUE,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at);

CREATE TABLE plans (
    id                        text        PRIMARY KEY,
    code                      text        NOT NULL UNIQUE,
    name                      text        NOT NULL,
    billing_interval          text        NOT NULL,
    prices                    jsonb       NOT NULL,
    included_credits_per_seat bigint      NOT NULL CHECK (included_credits_per_seat >= 0),
    limit_sessions            bigint      NOT NULL DEFAULT 0,
    limit_events              bigint      NOT NULL DEFAULT 0,
    limit_enrichments         bigint      NOT NULL DEFAULT 0,
    limit_storage_bytes       bigint      NOT NULL DEFAULT 0,
    seats                     integer     NOT NULL DEFAULT 0,
    sort_order                integer     NOT NULL DEFAULT 0,
    active                    boolean     NOT NULL DEFAULT true,
    updated_at                timestamptz NOT NULL
);

CREATE TABLE packs (
    id               text        PRIMARY KEY,
    code             text        NOT NULL UNIQUE,
    name             text        NOT NULL,
    credits          bigint      NOT NULL CHECK (credits > 0),
    prices           jsonb       NOT NULL,
    validity         text        NOT NULL CHECK (validity IN ('NEVER', 'BILLING_CYCLE', 'RECURRING')),
    recurring_months integer     NOT NULL DEFAULT 0,
    custom           boolean     NOT NULL DEFAULT false,
    step_credits     bigint      NOT NULL DEFAULT 0,
    step_prices      jsonb       NOT NULL,
    sort_order       integer     NOT NULL DEFAULT 0,
    active           boolean     NOT NULL DEFAULT true,
    updated_at       timestamptz NOT NULL
);

CREATE TABLE grants (
    id         text        PRIMARY KEY,
    org_id     text        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    amount     bigint      NOT NULL CHECK (amount > 0),
    remaining  bigint      NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    expires_at timestamptz,
    order_id   text,
    reason     text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX grants_open_idx ON grants (org_id) WHERE remaining > 0;
CREATE INDEX grants_expiry_idx ON grants (expires_at) WHERE remaining > 0;

-- Append-only. allocations and metadata are json (not jsonb): never queried
-- inside, and stored byte for byte as written.
CREATE TABLE ledger_entries (
    id            text        PRIMARY KEY,
    org_id        text        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    seq           bigint      NOT NULL CHECK (seq > 0),
    kind          text        NOT NULL,
    amount        bigint      NOT NULL,
    balance_after bigint      NOT NULL CHECK (balance_after >= 0),
    allocations   json        NOT NULL,
    reason        text        NOT NULL DEFAULT '',
    metadata      json,
    actor_kind    text        NOT NULL,
    actor_id      text,
    created_at    timestamptz NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX ledger_consumed_idx ON ledger_entries (org_id, created_at) WHERE kind = 'CONSUME';

CREATE TABLE idempotency_keys (
    org_id       text        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    idem_key     text        NOT NULL,
    operation    text        NOT NULL,
    request_hash text        NOT NULL,
    response     bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE ledger_entries;
DROP TABLE grants;
DROP TABLE packs;
DROP TABLE plans;
DROP TABLE api_keys;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE org_balances;
DROP TABLE orgs;
DROP TABLE users;
