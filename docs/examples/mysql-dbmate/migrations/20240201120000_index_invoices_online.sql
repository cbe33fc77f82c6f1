-- An online index build (ALGORITHM = INPLACE, LOCK = NONE) commits on its
-- own: dbmate's transaction:false runs this part without a transaction, and
-- so does dbmigrate.
-- migrate:up transaction:false
ALTER TABLE invoices ADD INDEX invoices_by_total (total), ALGORITHM = INPLACE, LOCK = NONE;

-- migrate:down transaction:false
ALTER TABLE invoices DROP INDEX invoices_by_total;
