-- CREATE INDEX CONCURRENTLY cannot run in a transaction: dbmate's
-- transaction:false runs this part without one, and so does dbmigrate.
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY invoices_account_id ON invoices (account_id);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY invoices_account_id;
