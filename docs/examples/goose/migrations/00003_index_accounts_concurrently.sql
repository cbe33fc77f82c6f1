-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY accounts_updated_at ON accounts (updated_at);

-- +goose Down
DROP INDEX CONCURRENTLY accounts_updated_at;
