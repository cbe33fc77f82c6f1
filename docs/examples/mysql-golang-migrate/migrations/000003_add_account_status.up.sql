ALTER TABLE accounts ADD COLUMN status ENUM('active', 'closed') NOT NULL DEFAULT 'active';
