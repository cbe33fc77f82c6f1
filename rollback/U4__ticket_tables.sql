-- U4: undo V4, drop the ticket tables, children before parents so that no
-- foreign key is left pointing at a dropped table.

DROP TABLE ticket_history;
DROP TABLE attachments;
DROP TABLE comments;
DROP TABLE tickets;
