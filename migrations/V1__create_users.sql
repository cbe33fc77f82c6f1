-- V1: user accounts, the root of the ticket system's schema.
--
-- Portable across SQLite 3.35+, PostgreSQL 12+ and MySQL 8 / MariaDB 10.5+:
-- ids are plain INTEGER primary keys supplied by the application (SQLite
-- fills a NULL id itself; PostgreSQL and MySQL need it given), roles and
-- statuses are CHECK-constrained VARCHARs instead of enum types, and
-- updated_at is maintained by the application rather than by triggers.
-- Foreign keys are written as table constraints because MySQL ignores an
-- inline REFERENCES on a column.

CREATE TABLE users (
    id             INTEGER      NOT NULL PRIMARY KEY,
    username       VARCHAR(50)  NOT NULL,
    email          VARCHAR(255) NOT NULL,
    password_hash  VARCHAR(255) NOT NULL,
    full_name      VARCHAR(100),
    role           VARCHAR(20)  NOT NULL DEFAULT 'END_USER',
    status         VARCHAR(20)  NOT NULL DEFAULT 'ACTIVE',
    is_active      BOOLEAN      NOT NULL DEFAULT TRUE,
    mfa_enabled    BOOLEAN      NOT NULL DEFAULT FALSE,
    mfa_secret     VARCHAR(255),
    last_login_at  TIMESTAMP    NULL,
    created_at     TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at     TIMESTAMP    NULL,
    CONSTRAINT uq_users_username UNIQUE (username),
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT ck_users_role CHECK (role IN ('END_USER', 'AGENT', 'TEAM_LEAD', 'MANAGER', 'ADMIN')),
    CONSTRAINT ck_users_status CHECK (status IN ('ACTIVE', 'INACTIVE', 'LOCKED', 'PENDING'))
);

CREATE INDEX idx_users_role ON users (role);
CREATE INDEX idx_users_status_active ON users (status, is_active);
CREATE INDEX idx_users_created_at ON users (created_at);
