-- The procedure's body holds semicolons: goose sends the block between
-- StatementBegin and StatementEnd as one statement, and so does dbmigrate
-- (the mariadb client would need DELIMITER lines around it).
-- +goose Up
-- +goose StatementBegin
CREATE PROCEDURE credit_account(IN p_id BIGINT, IN p_amount DECIMAL(12, 2))
BEGIN
    IF p_amount <= 0 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a credit must be positive';
    END IF;
    UPDATE accounts SET balance = balance + p_amount WHERE id = p_id;
END;
-- +goose StatementEnd

INSERT INTO accounts (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com');
CALL credit_account(1, 10.50);

-- +goose Down
DELETE FROM accounts WHERE id IN (1, 2);
DROP PROCEDURE credit_account;
