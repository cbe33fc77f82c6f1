-- Runs after a migrate that failed while applying; the failed migration's
-- transaction is already rolled back, so this row stays.
INSERT INTO deploy_log (event) VALUES ('migrate failed');
