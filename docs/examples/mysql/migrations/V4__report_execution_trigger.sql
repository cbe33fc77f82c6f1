-- V4: keep reports.last_run_at / last_run_status current.
--
-- A trigger body with a different delimiter (//) than V3 uses, as real
-- projects mix both. It fires when an execution finishes.

DELIMITER //

CREATE TRIGGER trg_report_executions_finished
AFTER UPDATE ON report_executions
FOR EACH ROW
BEGIN
    IF NEW.finished_at IS NOT NULL AND OLD.finished_at IS NULL THEN
        UPDATE reports
           SET last_run_at = NEW.finished_at,
               last_run_status = NEW.status
         WHERE id = NEW.report_id;
    END IF;
END //

DELIMITER ;
