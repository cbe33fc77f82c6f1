-- Runs only when this migrate applied at least one migration.
INSERT INTO deploy_log (event) VALUES ('migrations applied');
