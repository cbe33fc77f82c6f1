-- U5: undo V5, drop the hourly refresh event.

DROP EVENT ev_refresh_report_summaries;
