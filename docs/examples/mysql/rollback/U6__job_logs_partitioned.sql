-- U6: undo V6, drop the partitioned job logs with all their partitions.

DROP TABLE job_logs;
