-- migrate:up
CREATE TABLE invoices (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    total      DECIMAL(12, 2) NOT NULL,
    CONSTRAINT invoices_account FOREIGN KEY (account_id) REFERENCES accounts (id)
        ON DELETE CASCADE,
    CONSTRAINT invoices_total CHECK (total >= 0)
) ENGINE = InnoDB;
INSERT INTO invoices (id, account_id, total) VALUES (1, 1, 19.99), (2, 2, 5.00);

-- migrate:down
DROP TABLE invoices;
