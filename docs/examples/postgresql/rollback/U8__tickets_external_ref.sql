-- U8: undo V8. DROP INDEX CONCURRENTLY, like its CREATE, cannot run in a
-- transaction block, so this file runs outside one too.

DROP INDEX CONCURRENTLY idx_tickets_external_ref;

ALTER TABLE tickets DROP COLUMN external_ref;
