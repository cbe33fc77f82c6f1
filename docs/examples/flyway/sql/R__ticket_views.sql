-- Rerun whenever this file changes (repeatable migration).
DROP VIEW IF EXISTS open_tickets;
CREATE VIEW open_tickets AS
    SELECT t.id, t.title, t.priority, u.full_name AS requester
    FROM tickets t JOIN users u ON u.id = t.requester_id
    WHERE t.status IN ('open', 'pending');
