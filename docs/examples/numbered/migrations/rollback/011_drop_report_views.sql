DROP MATERIALIZED VIEW report_daily_runs;
