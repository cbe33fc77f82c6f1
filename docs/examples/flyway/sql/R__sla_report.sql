DROP VIEW IF EXISTS sla_report;
CREATE VIEW sla_report AS
    SELECT t.id, t.priority, p.response_minutes, p.resolve_minutes
    FROM tickets t JOIN sla_policies p ON p.priority = t.priority;
