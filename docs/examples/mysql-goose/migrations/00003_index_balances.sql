-- +goose NO TRANSACTION
-- +goose Up
ALTER TABLE accounts ADD INDEX accounts_balance (balance), ALGORITHM = INPLACE, LOCK = NONE;

-- +goose Down
ALTER TABLE accounts DROP INDEX accounts_balance;
