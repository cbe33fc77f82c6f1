-- U2: undo V2, drop the summary tables.

DROP TABLE report_type_summary;
DROP TABLE report_daily_stats;
