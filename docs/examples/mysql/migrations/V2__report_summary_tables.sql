-- V2: summary tables standing in for materialized views.
--
-- MySQL has no materialized views; these tables hold the aggregates the
-- report dashboards read, rebuilt by refresh_report_summaries() (V3) and
-- refreshed hourly by an event (V5). Rows go with their report.

CREATE TABLE report_daily_stats (
    report_id       BIGINT UNSIGNED NOT NULL,
    stat_date       DATE            NOT NULL,
    executions      INT UNSIGNED    NOT NULL DEFAULT 0,
    failures        INT UNSIGNED    NOT NULL DEFAULT 0,
    avg_duration_ms DECIMAL(12, 1)  NULL,
    max_duration_ms BIGINT          NULL,
    total_rows      BIGINT UNSIGNED NOT NULL DEFAULT 0,
    refreshed_at    TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (report_id, stat_date),
    KEY idx_report_daily_stats_date (stat_date),
    CONSTRAINT fk_report_daily_stats_report FOREIGN KEY (report_id)
        REFERENCES reports (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE report_type_summary (
    report_type     VARCHAR(20)     NOT NULL,
    active_reports  INT UNSIGNED    NOT NULL DEFAULT 0,
    executions_30d  INT UNSIGNED    NOT NULL DEFAULT 0,
    success_rate    DECIMAL(5, 2)   NULL,
    last_run_at     DATETIME(3)     NULL,
    refreshed_at    TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (report_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
