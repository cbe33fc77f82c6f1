-- U2: undo V2, drop the user and authentication tables (indexes and
-- triggers go with their tables).

DROP TABLE audit_logs;
DROP TABLE password_resets;
DROP TABLE user_sessions;
DROP TABLE refresh_tokens;
DROP TABLE users;
