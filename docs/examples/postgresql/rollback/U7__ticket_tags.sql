-- U7: undo V7, drop the tags column (its GIN index goes with it).

ALTER TABLE tickets DROP COLUMN tags;
