-- +goose Up
CREATE TABLE accounts (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email   VARCHAR(255) NOT NULL UNIQUE,
    balance DECIMAL(12, 2) NOT NULL DEFAULT 0
) ENGINE = InnoDB;

-- +goose Down
DROP TABLE accounts;
