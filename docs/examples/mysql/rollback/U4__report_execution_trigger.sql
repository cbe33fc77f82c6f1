-- U4: undo V4, drop the trigger that stamps the last run on reports.

DROP TRIGGER trg_report_executions_finished;
