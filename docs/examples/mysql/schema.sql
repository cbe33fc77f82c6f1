SET FOREIGN_KEY_CHECKS = 0;

DELIMITER ;;
CREATE PROCEDURE `refresh_report_summaries`()
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
END;;
DELIMITER ;

CREATE TABLE `job_logs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `job_id` varchar(36) NOT NULL,
  `level` enum('DEBUG','INFO','WARNING','ERROR') NOT NULL DEFAULT 'INFO',
  `message` text NOT NULL,
  `context` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`context`)),
  `logged_at` datetime NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`id`,`logged_at`),
  KEY `idx_job_logs_job_time` (`job_id`,`logged_at`),
  KEY `idx_job_logs_level_time` (`level`,`logged_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
 PARTITION BY RANGE (year(`logged_at`) * 100 + month(`logged_at`))
(PARTITION `p202401` VALUES LESS THAN (202402) ENGINE = InnoDB,
 PARTITION `p202402` VALUES LESS THAN (202403) ENGINE = InnoDB,
 PARTITION `p202403` VALUES LESS THAN (202404) ENGINE = InnoDB,
 PARTITION `p_future` VALUES LESS THAN MAXVALUE ENGINE = InnoDB);

CREATE TABLE `report_daily_stats` (
  `report_id` bigint(20) unsigned NOT NULL,
  `stat_date` date NOT NULL,
  `executions` int(10) unsigned NOT NULL DEFAULT 0,
  `failures` int(10) unsigned NOT NULL DEFAULT 0,
  `avg_duration_ms` decimal(12,1) DEFAULT NULL,
  `max_duration_ms` bigint(20) DEFAULT NULL,
  `total_rows` bigint(20) unsigned NOT NULL DEFAULT 0,
  `refreshed_at` timestamp NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`report_id`,`stat_date`),
  KEY `idx_report_daily_stats_date` (`stat_date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `report_executions` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `report_id` bigint(20) unsigned NOT NULL,
  `status` enum('QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED') NOT NULL DEFAULT 'QUEUED',
  `triggered_by` enum('SCHEDULE','USER','API') NOT NULL DEFAULT 'USER',
  `parameters` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`parameters`)),
  `started_at` datetime(3) DEFAULT NULL,
  `finished_at` datetime(3) DEFAULT NULL,
  `duration_ms` bigint(20) GENERATED ALWAYS AS (timestampdiff(MICROSECOND,`started_at`,`finished_at`) DIV 1000) VIRTUAL,
  `row_count` int(10) unsigned DEFAULT NULL,
  `output_path` varchar(500) DEFAULT NULL,
  `error_message` text DEFAULT NULL,
  `created_at` timestamp NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`id`),
  KEY `idx_report_executions_report_status` (`report_id`,`status`,`started_at`),
  KEY `idx_report_executions_status_created` (`status`,`created_at`),
  CONSTRAINT `ck_report_executions_times` CHECK (`finished_at` is null or `finished_at` >= `started_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='one row per report run';

CREATE TABLE `report_type_summary` (
  `report_type` varchar(20) NOT NULL,
  `active_reports` int(10) unsigned NOT NULL DEFAULT 0,
  `executions_30d` int(10) unsigned NOT NULL DEFAULT 0,
  `success_rate` decimal(5,2) DEFAULT NULL,
  `last_run_at` datetime(3) DEFAULT NULL,
  `refreshed_at` timestamp NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`report_type`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `reports` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(150) NOT NULL,
  `description` text DEFAULT NULL,
  `report_type` enum('INVENTORY','COMPLIANCE','CAPACITY','COST','CUSTOM') NOT NULL,
  `configuration` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL CHECK (json_valid(`configuration`)),
  `report_format` varchar(20) GENERATED ALWAYS AS (json_unquote(json_extract(`configuration`,'$.format'))) STORED,
  `schedule_cron` varchar(100) DEFAULT NULL,
  `is_scheduled` tinyint(1) NOT NULL DEFAULT 0,
  `is_active` tinyint(1) NOT NULL DEFAULT 1,
  `owner_email` varchar(255) NOT NULL,
  `last_run_at` datetime(3) DEFAULT NULL,
  `last_run_status` varchar(20) DEFAULT NULL,
  `created_at` timestamp NOT NULL DEFAULT current_timestamp(),
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_reports_name` (`name`),
  KEY `idx_reports_type_active` (`report_type`,`is_active`),
  KEY `idx_reports_scheduled` (`is_scheduled`,`is_active`,`last_run_at`),
  KEY `idx_reports_format` (`report_format`),
  CONSTRAINT `ck_reports_config_valid` CHECK (json_valid(`configuration`))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='report definitions';

ALTER TABLE `report_daily_stats` ADD CONSTRAINT `fk_report_daily_stats_report` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE CASCADE;

ALTER TABLE `report_executions` ADD CONSTRAINT `fk_report_executions_report` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE CASCADE ON UPDATE CASCADE;

DELIMITER ;;
CREATE TRIGGER `trg_report_executions_finished` AFTER UPDATE ON `report_executions` FOR EACH ROW BEGIN
    IF NEW.finished_at IS NOT NULL AND OLD.finished_at IS NULL THEN
        UPDATE reports
           SET last_run_at = NEW.finished_at,
               last_run_status = NEW.status
         WHERE id = NEW.report_id;
    END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE EVENT `ev_refresh_report_summaries` ON SCHEDULE EVERY 1 HOUR ON COMPLETION PRESERVE ENABLE COMMENT 'hourly rebuild of the report summary tables' DO CALL refresh_report_summaries();;
DELIMITER ;

