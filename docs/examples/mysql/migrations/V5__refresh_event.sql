-- V5: refresh the summary tables every hour.
--
-- Events only run while the event scheduler is on (event_scheduler=ON in
-- the server configuration, or SET GLOBAL event_scheduler = ON); the event
-- is created either way. A one-statement event body needs no DELIMITER.

CREATE EVENT ev_refresh_report_summaries
    ON SCHEDULE EVERY 1 HOUR
    STARTS CURRENT_TIMESTAMP + INTERVAL 5 MINUTE
    ON COMPLETION PRESERVE
    ENABLE
    COMMENT 'hourly rebuild of the report summary tables'
    DO CALL refresh_report_summaries();
