-- Runs after each migration's statements, inside its transaction, before
-- its history row: the row below commits with the migration, or is rolled
-- back with it.
INSERT INTO deploy_log (event) VALUES ('one migration applied');
