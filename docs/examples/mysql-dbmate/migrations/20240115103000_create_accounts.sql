-- migrate:up
CREATE TABLE accounts (
    id    BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE
) ENGINE = InnoDB;
INSERT INTO accounts (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com');

-- migrate:down
DROP TABLE accounts;
