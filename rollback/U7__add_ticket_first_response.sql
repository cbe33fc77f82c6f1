-- U7: undo V7, drop the first-response column from tickets.

ALTER TABLE tickets DROP COLUMN first_response_at;
