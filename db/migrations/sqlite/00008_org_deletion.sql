-- +goose Up
-- When the org's owner deleted it. A deleted org keeps its orders, invoices
-- and ledger (they are records the law asks to keep) but nobody reaches it
-- any more; NULL for every org still in use.
ALTER TABLE orgs ADD COLUMN deleted_at DATETIME;

-- +goose Down
ALTER TABLE orgs DROP COLUMN deleted_at;
