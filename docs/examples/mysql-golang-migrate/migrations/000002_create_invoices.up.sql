CREATE TABLE invoices (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    total      DECIMAL(12, 2) NOT NULL,
    note       VARCHAR(100) NOT NULL DEFAULT '',
    CONSTRAINT invoices_account FOREIGN KEY (account_id) REFERENCES accounts (id)
        ON DELETE CASCADE
) ENGINE = InnoDB;
INSERT INTO invoices (id, account_id, total, note) VALUES (1, 1, 19.99, 'paid; thanks');
