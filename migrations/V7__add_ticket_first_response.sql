-- V7: record when a ticket first got an answer, to measure response SLAs.
--
-- A nullable column needs no default and no rewrite of existing rows on
-- any of the three databases. It has no index so that the undo script can
-- drop it everywhere (SQLite cannot drop an indexed column).

ALTER TABLE tickets ADD COLUMN first_response_at TIMESTAMP NULL;
