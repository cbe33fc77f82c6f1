-- U3: undo V3, drop the refresh procedure.

DROP PROCEDURE refresh_report_summaries;
