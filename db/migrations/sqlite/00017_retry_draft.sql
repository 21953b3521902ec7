-- +goose Up
-- A checkout whose payment fails or is canceled gives its cart back: the
-- order's items return as a new draft, whose id the order keeps in
-- retry_draft_id (NULL on every other order). It also marks the order as
-- one whose cart was given back, so that money a gateway still collects
-- for it later is not fulfilled twice (domain/settle.go).
ALTER TABLE orders ADD COLUMN retry_draft_id TEXT;

-- +goose Down
ALTER TABLE orders DROP COLUMN retry_draft_id;
