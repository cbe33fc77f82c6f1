-- V8: link tickets to an external tracker, indexed without locking writes.
--
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so this
-- file runs outside one (V8__tickets_external_ref.sql.conf says
-- executeInTransaction=false; dbmigrate also detects it on its own). Each
-- statement commits by itself: if the index build fails, the column stays
-- and an INVALID index may be left behind; drop it and migrate again.

ALTER TABLE tickets ADD COLUMN external_ref varchar(64);

CREATE INDEX CONCURRENTLY idx_tickets_external_ref ON tickets (external_ref)
    WHERE external_ref IS NOT NULL;
