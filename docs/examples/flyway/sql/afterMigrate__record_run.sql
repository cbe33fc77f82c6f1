-- A Flyway callback: runs after every migrate, not recorded as a migration.
DELETE FROM app_settings WHERE name = 'migrated_by';
INSERT INTO app_settings (name, value) VALUES ('migrated_by', '${app_user}');
