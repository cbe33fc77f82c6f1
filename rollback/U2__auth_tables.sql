-- U2: undo V2, drop the authentication tables (their indexes go with them).

DROP TABLE audit_logs;
DROP TABLE password_resets;
DROP TABLE user_sessions;
DROP TABLE refresh_tokens;
