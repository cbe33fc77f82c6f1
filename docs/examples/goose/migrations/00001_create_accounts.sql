-- +goose Up
CREATE TABLE accounts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE accounts;
