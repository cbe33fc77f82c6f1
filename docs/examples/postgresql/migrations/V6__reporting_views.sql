-- V6: monitoring views and reporting materialized views.
--
-- The two plain views are read live by the dashboard. The four
-- materialized views are refreshed by refresh_reporting_views(), hourly
-- from a scheduler (pg_cron or an external job: SELECT
-- refresh_reporting_views();). Each has a unique index so that it can be
-- refreshed CONCURRENTLY, without blocking readers.

CREATE VIEW v_open_tickets AS
SELECT t.id,
       t.ticket_number,
       t.title,
       t.status,
       t.priority,
       t.assigned_to,
       a.username AS assignee,
       t.resolution_due_at,
       t.resolution_due_at < now() AS is_overdue,
       t.created_at
FROM tickets t
LEFT JOIN users a ON a.id = t.assigned_to
WHERE t.deleted_at IS NULL
  AND t.status NOT IN ('RESOLVED', 'CLOSED');

CREATE VIEW v_agent_workload AS
SELECT u.id AS user_id,
       u.username,
       count(t.id) AS open_tickets,
       count(t.id) FILTER (WHERE t.priority = 'P1') AS open_p1,
       count(t.id) FILTER (WHERE t.resolution_due_at < now()) AS overdue
FROM users u
LEFT JOIN tickets t ON t.assigned_to = u.id
                   AND t.deleted_at IS NULL
                   AND t.status NOT IN ('RESOLVED', 'CLOSED')
WHERE u.role IN ('AGENT', 'TEAM_LEAD') AND u.deleted_at IS NULL
GROUP BY u.id, u.username;

CREATE MATERIALIZED VIEW mv_daily_ticket_stats AS
SELECT date_trunc('day', created_at)::date AS day,
       priority,
       count(*) AS created,
       count(*) FILTER (WHERE status IN ('RESOLVED', 'CLOSED')) AS resolved,
       avg(extract(epoch FROM resolved_at - created_at) / 3600.0)
           FILTER (WHERE resolved_at IS NOT NULL) AS avg_resolution_hours
FROM tickets
WHERE deleted_at IS NULL
GROUP BY 1, 2
WITH DATA;

CREATE UNIQUE INDEX idx_mv_daily_ticket_stats ON mv_daily_ticket_stats (day, priority);

CREATE MATERIALIZED VIEW mv_agent_performance AS
SELECT t.assigned_to AS user_id,
       count(*) AS handled,
       count(*) FILTER (WHERE t.resolved_at <= t.resolution_due_at) AS resolved_in_sla,
       avg(extract(epoch FROM t.first_response_at - t.created_at) / 60.0)
           AS avg_first_response_minutes
FROM tickets t
WHERE t.assigned_to IS NOT NULL AND t.deleted_at IS NULL
GROUP BY t.assigned_to
WITH DATA;

CREATE UNIQUE INDEX idx_mv_agent_performance ON mv_agent_performance (user_id);

CREATE MATERIALIZED VIEW mv_sla_compliance AS
SELECT p.id AS sla_policy_id,
       p.policy_name,
       p.priority,
       count(t.id) AS tickets,
       count(t.id) FILTER (WHERE t.first_response_at <= t.response_due_at) AS responses_in_sla,
       count(t.id) FILTER (WHERE t.resolved_at <= t.resolution_due_at) AS resolutions_in_sla,
       count(e.id) FILTER (WHERE e.is_sla_breach) AS breaches
FROM sla_policies p
LEFT JOIN tickets t ON t.sla_policy_id = p.id AND t.deleted_at IS NULL
LEFT JOIN escalations e ON e.ticket_id = t.id
GROUP BY p.id, p.policy_name, p.priority
WITH DATA;

CREATE UNIQUE INDEX idx_mv_sla_compliance ON mv_sla_compliance (sla_policy_id);

CREATE MATERIALIZED VIEW mv_category_summary AS
SELECT category,
       status,
       count(*) AS tickets
FROM tickets
WHERE deleted_at IS NULL
GROUP BY category, status
WITH DATA;

CREATE UNIQUE INDEX idx_mv_category_summary ON mv_category_summary (category, status);

CREATE OR REPLACE FUNCTION refresh_reporting_views()
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_ticket_stats;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_agent_performance;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_sla_compliance;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_category_summary;
    RAISE NOTICE 'reporting views refreshed at %', now();
END;
$$;

COMMENT ON FUNCTION refresh_reporting_views() IS 'refreshes the four reporting materialized views';
