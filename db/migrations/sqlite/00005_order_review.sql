-- +goose Up
-- Why an order needs an operator (domain.Order.Review): money a gateway
-- reported collected that Tally did not accept. '' when nothing is wrong.
ALTER TABLE orders ADD COLUMN review TEXT NOT NULL DEFAULT '';
-- Orders waiting for an operator, for support queries.
CREATE INDEX orders_review_idx ON orders (updated_at) WHERE review <> '';

-- +goose Down
DROP INDEX orders_review_idx;
ALTER TABLE orders DROP COLUMN review;
