-- U1: undo V1, drop the execution history and then the reports.

DROP TABLE report_executions;
DROP TABLE reports;
