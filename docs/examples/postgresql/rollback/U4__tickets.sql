-- U4: undo V4, drop the ticket tables, their trigger functions and the
-- ticket number sequence (owned by tickets.ticket_number, so it goes with
-- the table).

DROP TABLE ticket_history;
DROP TABLE attachments;
DROP TABLE comments;
DROP TABLE tickets;

DROP FUNCTION log_ticket_changes();
DROP FUNCTION tickets_search_vector_update();
DROP FUNCTION tickets_apply_sla();
