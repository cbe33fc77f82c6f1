-- V2: users and the authentication tables that hang off them.
--
-- User ids are UUIDs from gen_random_uuid(); the high-volume logs use
-- identity columns. refresh_tokens, user_sessions and password_resets go
-- with their user (CASCADE); audit_logs keep their rows (SET NULL).
-- Partial indexes cover only the rows the application looks up: live
-- users, unrevoked tokens, active sessions, unused reset tokens.

CREATE TABLE users (
    id            uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    username      varchar(50)  NOT NULL UNIQUE,
    email         varchar(255) NOT NULL UNIQUE,
    password_hash varchar(255) NOT NULL,
    full_name     varchar(100),
    role          user_role    NOT NULL DEFAULT 'END_USER',
    status        user_status  NOT NULL DEFAULT 'ACTIVE',
    is_active     boolean      NOT NULL DEFAULT true,
    mfa_enabled   boolean      NOT NULL DEFAULT false,
    mfa_secret    varchar(255),
    preferences   jsonb        NOT NULL DEFAULT '{}'::jsonb,
    last_login_at timestamptz,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    CONSTRAINT users_email_format CHECK (email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT users_mfa_secret_required CHECK (NOT mfa_enabled OR mfa_secret IS NOT NULL)
);

CREATE INDEX idx_users_role_active ON users (role) WHERE deleted_at IS NULL AND is_active;
CREATE INDEX idx_users_email_lower ON users (lower(email));
CREATE INDEX idx_users_preferences ON users USING gin (preferences jsonb_path_ops);

CREATE TRIGGER trg_users_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE users IS 'User accounts; soft-deleted rows keep deleted_at';
COMMENT ON COLUMN users.mfa_secret IS 'TOTP secret, encrypted by the application';

CREATE TABLE refresh_tokens (
    id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   varchar(255) NOT NULL UNIQUE,
    token_family uuid         NOT NULL,
    device_info  jsonb,
    ip_address   inet,
    is_revoked   boolean      NOT NULL DEFAULT false,
    expires_at   timestamptz  NOT NULL,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE INDEX idx_refresh_tokens_user_id ON refresh_tokens (user_id);
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (token_family);
CREATE INDEX idx_refresh_tokens_live ON refresh_tokens (user_id, expires_at) WHERE NOT is_revoked;

CREATE TABLE user_sessions (
    id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_token    varchar(255) NOT NULL UNIQUE,
    ip_address       inet,
    user_agent       text,
    location         varchar(100),
    is_active        boolean      NOT NULL DEFAULT true,
    last_activity_at timestamptz  NOT NULL DEFAULT now(),
    expires_at       timestamptz  NOT NULL,
    created_at       timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX idx_user_sessions_active ON user_sessions (user_id, last_activity_at DESC)
    WHERE is_active;

CREATE TABLE password_resets (
    id         uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash varchar(255) NOT NULL UNIQUE,
    is_used    boolean      NOT NULL DEFAULT false,
    expires_at timestamptz  NOT NULL DEFAULT now() + interval '1 hour',
    used_at    timestamptz,
    created_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT password_resets_used_at CHECK (is_used = (used_at IS NOT NULL))
);

CREATE INDEX idx_password_resets_pending ON password_resets (user_id, expires_at) WHERE NOT is_used;

CREATE TABLE audit_logs (
    id            bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       uuid         REFERENCES users (id) ON DELETE SET NULL,
    action_type   varchar(50)  NOT NULL,
    resource_type varchar(50)  NOT NULL,
    resource_id   text,
    old_values    jsonb,
    new_values    jsonb,
    ip_address    inet,
    user_agent    text,
    created_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX idx_audit_logs_user_created ON audit_logs (user_id, created_at DESC);
CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id);
CREATE INDEX idx_audit_logs_new_values ON audit_logs USING gin (new_values);
