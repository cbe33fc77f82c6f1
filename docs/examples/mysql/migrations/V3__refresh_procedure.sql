-- V3: the procedure that rebuilds the summary tables.
--
-- Written the way the mysql client needs it: DELIMITER $$ so that the
-- semicolons inside the BEGIN ... END body do not end the statement. The
-- rebuild runs in one transaction; any error rolls it back and is re-raised.

DELIMITER $$

CREATE PROCEDURE refresh_report_summaries()
    MODIFIES SQL DATA
    COMMENT 'rebuilds report_daily_stats and report_type_summary'
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    START TRANSACTION;

    DELETE FROM report_daily_stats;
    INSERT INTO report_daily_stats (report_id, stat_date, executions, failures, avg_duration_ms,
                                    max_duration_ms, total_rows)
    SELECT report_id,
           DATE(started_at),
           COUNT(*),
           SUM(status = 'FAILED'),
           AVG(duration_ms),
           MAX(duration_ms),
           COALESCE(SUM(row_count), 0)
    FROM report_executions
    WHERE started_at IS NOT NULL
    GROUP BY report_id, DATE(started_at);

    DELETE FROM report_type_summary;
    INSERT INTO report_type_summary (report_type, active_reports, executions_30d, success_rate,
                                     last_run_at)
    SELECT r.report_type,
           COUNT(DISTINCT CASE WHEN r.is_active = 1 THEN r.id END),
           COUNT(e.id),
           ROUND(100 * SUM(e.status = 'SUCCEEDED') / NULLIF(COUNT(e.id), 0), 2),
           MAX(e.started_at)
    FROM reports r
    LEFT JOIN report_executions e
           ON e.report_id = r.id AND e.created_at >= NOW() - INTERVAL 30 DAY
    GROUP BY r.report_type;

    COMMIT;
END$$

DELIMITER ;
