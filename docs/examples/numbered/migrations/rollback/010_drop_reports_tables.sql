DROP TABLE report_executions;
DROP TABLE reports;
