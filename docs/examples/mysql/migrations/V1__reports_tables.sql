-- V1: reports and their execution history.
--
-- MySQL 8.0 / MariaDB 10.5+. Report configuration and execution parameters
-- are JSON; report_format is a stored generated column pulled out of the
-- configuration so that it can be indexed. Executions go with their report
-- (ON DELETE CASCADE). JSON_UNQUOTE(JSON_EXTRACT(...)) is used instead of
-- the ->> operator, which MariaDB lacks.

CREATE TABLE reports (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name             VARCHAR(150)    NOT NULL,
    description      TEXT            NULL,
    report_type      ENUM('INVENTORY', 'COMPLIANCE', 'CAPACITY', 'COST', 'CUSTOM') NOT NULL,
    configuration    JSON            NOT NULL,
    report_format    VARCHAR(20)
                     AS (JSON_UNQUOTE(JSON_EXTRACT(configuration, '$.format'))) STORED,
    schedule_cron    VARCHAR(100)    NULL,
    is_scheduled     TINYINT(1)      NOT NULL DEFAULT 0,
    is_active        TINYINT(1)      NOT NULL DEFAULT 1,
    owner_email      VARCHAR(255)    NOT NULL,
    last_run_at      DATETIME(3)     NULL,
    last_run_status  VARCHAR(20)     NULL,
    created_at       TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY uq_reports_name (name),
    KEY idx_reports_type_active (report_type, is_active),
    KEY idx_reports_scheduled (is_scheduled, is_active, last_run_at),
    KEY idx_reports_format (report_format),
    CONSTRAINT ck_reports_config_valid CHECK (JSON_VALID(configuration))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='report definitions';

CREATE TABLE report_executions (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    report_id     BIGINT UNSIGNED NOT NULL,
    status        ENUM('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED') NOT NULL DEFAULT 'QUEUED',
    triggered_by  ENUM('SCHEDULE', 'USER', 'API') NOT NULL DEFAULT 'USER',
    parameters    JSON            NULL,
    started_at    DATETIME(3)     NULL,
    finished_at   DATETIME(3)     NULL,
    duration_ms   BIGINT
                  AS (TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) DIV 1000) VIRTUAL,
    row_count     INT UNSIGNED    NULL,
    output_path   VARCHAR(500)    NULL,
    error_message TEXT            NULL,
    created_at    TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY idx_report_executions_report_status (report_id, status, started_at),
    KEY idx_report_executions_status_created (status, created_at),
    CONSTRAINT fk_report_executions_report FOREIGN KEY (report_id)
        REFERENCES reports (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT ck_report_executions_times CHECK (finished_at IS NULL OR finished_at >= started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='one row per report run';
