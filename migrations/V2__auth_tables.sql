-- V2: authentication and security tables that hang off users.
--
-- refresh_tokens, user_sessions and password_resets are deleted with their
-- user (ON DELETE CASCADE); audit_logs outlive the user (ON DELETE SET NULL)
-- so the trail stays complete. old_values/new_values hold JSON as TEXT,
-- the one JSON representation all three databases accept. Each table's
-- indexes live in this file so that dropping the tables undoes it exactly.

CREATE TABLE refresh_tokens (
    id           INTEGER      NOT NULL PRIMARY KEY,
    user_id      INTEGER      NOT NULL,
    token_hash   VARCHAR(255) NOT NULL,
    token_family VARCHAR(64)  NOT NULL,
    device_info  VARCHAR(255),
    ip_address   VARCHAR(45),
    is_revoked   BOOLEAN      NOT NULL DEFAULT FALSE,
    expires_at   TIMESTAMP    NOT NULL,
    created_at   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    revoked_at   TIMESTAMP    NULL,
    CONSTRAINT uq_refresh_tokens_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_refresh_tokens_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX idx_refresh_tokens_user_id ON refresh_tokens (user_id);
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (token_family);
CREATE INDEX idx_refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE user_sessions (
    id               INTEGER      NOT NULL PRIMARY KEY,
    user_id          INTEGER      NOT NULL,
    session_token    VARCHAR(255) NOT NULL,
    ip_address       VARCHAR(45),
    user_agent       VARCHAR(500),
    location         VARCHAR(100),
    is_active        BOOLEAN      NOT NULL DEFAULT TRUE,
    last_activity_at TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at       TIMESTAMP    NOT NULL,
    created_at       TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_user_sessions_token UNIQUE (session_token),
    CONSTRAINT fk_user_sessions_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX idx_user_sessions_user_active ON user_sessions (user_id, is_active);
CREATE INDEX idx_user_sessions_last_activity ON user_sessions (last_activity_at);

CREATE TABLE password_resets (
    id         INTEGER      NOT NULL PRIMARY KEY,
    user_id    INTEGER      NOT NULL,
    token_hash VARCHAR(255) NOT NULL,
    is_used    BOOLEAN      NOT NULL DEFAULT FALSE,
    expires_at TIMESTAMP    NOT NULL,
    used_at    TIMESTAMP    NULL,
    created_at TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_password_resets_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_password_resets_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX idx_password_resets_user_id ON password_resets (user_id);
CREATE INDEX idx_password_resets_expires_at ON password_resets (expires_at);

CREATE TABLE audit_logs (
    id            INTEGER      NOT NULL PRIMARY KEY,
    user_id       INTEGER,
    action_type   VARCHAR(50)  NOT NULL,
    resource_type VARCHAR(50)  NOT NULL,
    resource_id   VARCHAR(64),
    old_values    TEXT,
    new_values    TEXT,
    ip_address    VARCHAR(45),
    user_agent    VARCHAR(500),
    created_at    TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_audit_logs_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX idx_audit_logs_user_id ON audit_logs (user_id);
CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id);
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at);
