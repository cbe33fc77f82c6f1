CREATE MATERIALIZED VIEW report_daily_runs AS
    SELECT report_id, date_trunc('day', started_at) AS day, count(*) AS runs
    FROM report_executions
    GROUP BY report_id, date_trunc('day', started_at);
