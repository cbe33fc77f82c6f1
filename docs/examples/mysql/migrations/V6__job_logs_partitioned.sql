-- V6: job logs, range-partitioned by month.
--
-- The partition key (logged_at) must be part of every unique key, so the
-- primary key is (id, logged_at). Partitioned InnoDB tables cannot have
-- foreign keys, so job_id is a plain indexed column. Old months are
-- dropped with ALTER TABLE job_logs DROP PARTITION p202401, far cheaper than
-- a DELETE; new months are split off p_future with REORGANIZE PARTITION.

CREATE TABLE job_logs (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    job_id     VARCHAR(36)     NOT NULL,
    level      ENUM('DEBUG', 'INFO', 'WARNING', 'ERROR') NOT NULL DEFAULT 'INFO',
    message    TEXT            NOT NULL,
    context    JSON            NULL,
    logged_at  DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id, logged_at),
    KEY idx_job_logs_job_time (job_id, logged_at),
    KEY idx_job_logs_level_time (level, logged_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
PARTITION BY RANGE (YEAR(logged_at) * 100 + MONTH(logged_at)) (
    PARTITION p202401 VALUES LESS THAN (202402),
    PARTITION p202402 VALUES LESS THAN (202403),
    PARTITION p202403 VALUES LESS THAN (202404),
    PARTITION p_future VALUES LESS THAN MAXVALUE
);
