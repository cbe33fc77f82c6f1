-- migrate:up
CREATE TABLE invoices (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    total      numeric(12, 2) NOT NULL CHECK (total >= 0)
);

-- migrate:down
DROP TABLE invoices;
