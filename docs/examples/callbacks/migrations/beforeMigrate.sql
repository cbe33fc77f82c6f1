-- Runs at the start of every migrate, in a transaction of its own.
CREATE TABLE IF NOT EXISTS deploy_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO deploy_log (event) VALUES ('migrate started by ${flyway:user}');
