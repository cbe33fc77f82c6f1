-- U6: undo V6, drop the refresh function, the materialized views and the
-- monitoring views.

DROP FUNCTION refresh_reporting_views();

DROP MATERIALIZED VIEW mv_category_summary;
DROP MATERIALIZED VIEW mv_sla_compliance;
DROP MATERIALIZED VIEW mv_agent_performance;
DROP MATERIALIZED VIEW mv_daily_ticket_stats;

DROP VIEW v_agent_workload;
DROP VIEW v_open_tickets;
