DROP VIEW IF EXISTS open_tickets;
CREATE VIEW open_tickets AS
    SELECT id, title, priority FROM ticket WHERE status = 'open';
