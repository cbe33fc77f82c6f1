DROP VIEW IF EXISTS open_tickets;
ALTER TABLE ticket DROP COLUMN priority;
