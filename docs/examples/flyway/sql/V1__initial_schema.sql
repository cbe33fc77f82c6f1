-- The ticket system's base: users and the application's settings.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    full_name VARCHAR(200) NOT NULL,
    role VARCHAR(20) NOT NULL DEFAULT 'agent',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE app_settings (
    name VARCHAR(100) PRIMARY KEY,
    value VARCHAR(200) NOT NULL
);

-- Placeholders: ${app_user} and ${environment} come from flyway.conf / flyway.toml.
INSERT INTO app_settings (name, value) VALUES ('app_user', '${app_user}');
INSERT INTO app_settings (name, value) VALUES ('environment', '${environment}');
