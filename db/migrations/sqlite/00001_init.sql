-- Tally schema, SQLite flavour. Keep version numbers and table shapes in
-- step with ../postgres. Money-protecting CHECK constraints make the database
-- refuse a negative balance or an over-spent grant even if code is wrong.

-- +goose Up
CREATE TABLE users (
    id         TEXT        PRIMARY KEY,
    subject    TEXT        NOT NULL UNIQUE,
    email      TEXT        NOT NULL,
    name       TEXT        NOT NULL DEFAULT '',
    created_at DATETIME    NOT NULL
);

CREATE TABLE orgs (
    id         TEXT        PRIMARY KEY,
    name       TEXT        NOT NULL,
    country    TEXT        NOT NULL,
    currency   TEXT        NOT NULL,
    status     TEXT        NOT NULL CHECK (status IN ('ACTIVE', 'PAST_DUE', 'SUSPENDED', 'CLOSED')),
    seats      INTEGER     NOT NULL CHECK (seats >= 0),
    created_at DATETIME    NOT NULL,
    updated_at DATETIME    NOT NULL
);

-- One row per org: the counters every balance change locks (the immediate write transaction holds the lock).
CREATE TABLE org_balances (
    org_id     TEXT        PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    total      INTEGER      NOT NULL DEFAULT 0 CHECK (total >= 0),
    free       INTEGER      NOT NULL DEFAULT 0 CHECK (free >= 0),
    paid       INTEGER      NOT NULL DEFAULT 0 CHECK (paid >= 0),
    version    INTEGER      NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at DATETIME    NOT NULL,
    CHECK (total = free + paid)
);

CREATE TABLE memberships (
    org_id     TEXT        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    TEXT        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT        NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'BILLING', 'MEMBER')),
    created_at DATETIME    NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE INDEX memberships_org_page_idx ON memberships (org_id, created_at, user_id);

CREATE TABLE invitations (
    id          TEXT        PRIMARY KEY,
    org_id      TEXT        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    email       TEXT        NOT NULL,
    role        TEXT        NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'BILLING', 'MEMBER')),
    token_hash  TEXT        NOT NULL UNIQUE,
    invited_by  TEXT        NOT NULL,
    expires_at  DATETIME    NOT NULL,
    created_at  DATETIME    NOT NULL,
    accepted_at DATETIME   ,
    accepted_by TEXT,
    revoked_at  DATETIME   
);
CREATE INDEX invitations_org_idx ON invitations (org_id, created_at);

CREATE TABLE api_keys (
    id           TEXT        PRIMARY KEY,
    org_id       TEXT        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    hash         TEXT        NOT NULL UNIQUE,
    created_by   TEXT        NOT NULL,
    created_at   DATETIME    NOT NULL,
    last_used_at DATETIME   ,
    revoked_at   DATETIME   
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at);

CREATE TABLE plans (
    id                        TEXT        PRIMARY KEY,
    code                      TEXT        NOT NULL UNIQUE,
    name                      TEXT        NOT NULL,
    billing_interval          TEXT        NOT NULL,
    prices                    TEXT        NOT NULL,
    included_credits_per_seat INTEGER      NOT NULL CHECK (included_credits_per_seat >= 0),
    limit_sessions            INTEGER      NOT NULL DEFAULT 0,
    limit_events              INTEGER      NOT NULL DEFAULT 0,
    limit_enrichments         INTEGER      NOT NULL DEFAULT 0,
    limit_storage_bytes       INTEGER      NOT NULL DEFAULT 0,
    seats                     INTEGER     NOT NULL DEFAULT 0,
    sort_order                INTEGER     NOT NULL DEFAULT 0,
    active                    BOOLEAN     NOT NULL DEFAULT 1,
    updated_at                DATETIME    NOT NULL
);

CREATE TABLE packs (
    id               TEXT        PRIMARY KEY,
    code             TEXT        NOT NULL UNIQUE,
    name             TEXT        NOT NULL,
    credits          INTEGER      NOT NULL CHECK (credits > 0),
    prices           TEXT        NOT NULL,
    validity         TEXT        NOT NULL CHECK (validity IN ('NEVER', 'BILLING_CYCLE', 'RECURRING')),
    recurring_months INTEGER     NOT NULL DEFAULT 0,
    custom           BOOLEAN     NOT NULL DEFAULT 0,
    step_credits     INTEGER      NOT NULL DEFAULT 0,
    step_prices      TEXT        NOT NULL,
    sort_order       INTEGER     NOT NULL DEFAULT 0,
    active           BOOLEAN     NOT NULL DEFAULT 1,
    updated_at       DATETIME    NOT NULL
);

CREATE TABLE grants (
    id         TEXT        PRIMARY KEY,
    org_id     TEXT        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL,
    amount     INTEGER      NOT NULL CHECK (amount > 0),
    remaining  INTEGER      NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    expires_at DATETIME   ,
    order_id   TEXT,
    reason     TEXT        NOT NULL DEFAULT '',
    created_at DATETIME    NOT NULL
);
CREATE INDEX grants_open_idx ON grants (org_id) WHERE remaining > 0;
CREATE INDEX grants_expiry_idx ON grants (expires_at) WHERE remaining > 0;

-- Append-only. allocations and metadata are TEXT (not TEXT ): never queried
-- inside, and stored byte for byte as written.
CREATE TABLE ledger_entries (
    id            TEXT        PRIMARY KEY,
    org_id        TEXT        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    seq           INTEGER      NOT NULL CHECK (seq > 0),
    kind          TEXT        NOT NULL,
    amount        INTEGER      NOT NULL,
    balance_after INTEGER      NOT NULL CHECK (balance_after >= 0),
    allocations   TEXT        NOT NULL,
    reason        TEXT        NOT NULL DEFAULT '',
    metadata      TEXT,
    actor_kind    TEXT        NOT NULL,
    actor_id      TEXT,
    created_at    DATETIME    NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX ledger_consumed_idx ON ledger_entries (org_id, created_at) WHERE kind = 'CONSUME';

CREATE TABLE idempotency_keys (
    org_id       TEXT        NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    idem_key     TEXT        NOT NULL,
    operation    TEXT        NOT NULL,
    request_hash TEXT        NOT NULL,
    response     BLOB        NOT NULL,
    created_at   DATETIME    NOT NULL,
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
