-- V1: enum types and the shared trigger function of the ticket system.
--
-- PostgreSQL 13+ (gen_random_uuid() is built in from 13 on). The enum
-- types are created inside DO blocks that swallow duplicate_object, the
-- usual way to make CREATE TYPE re-runnable on a database where someone
-- created the types by hand before migrations were introduced.

DO $$
BEGIN
    CREATE TYPE user_role AS ENUM ('END_USER', 'AGENT', 'TEAM_LEAD', 'MANAGER', 'ADMIN');
EXCEPTION
    WHEN duplicate_object THEN
        RAISE NOTICE 'type "user_role" already exists, keeping it';
END
$$;

DO $$
BEGIN
    CREATE TYPE user_status AS ENUM ('ACTIVE', 'INACTIVE', 'LOCKED', 'PENDING');
EXCEPTION
    WHEN duplicate_object THEN
        RAISE NOTICE 'type "user_status" already exists, keeping it';
END
$$;

CREATE TYPE ticket_status AS ENUM (
    'NEW', 'OPEN', 'IN_PROGRESS', 'PENDING_INFO', 'ESCALATED', 'RESOLVED', 'CLOSED', 'REOPENED'
);
CREATE TYPE ticket_priority AS ENUM ('P1', 'P2', 'P3', 'P4');
CREATE TYPE change_type AS ENUM (
    'CREATED', 'STATUS_CHANGE', 'PRIORITY_CHANGE', 'ASSIGNMENT', 'COMMENT', 'ATTACHMENT',
    'ESCALATION', 'UPDATE'
);
CREATE TYPE scan_status AS ENUM ('PENDING', 'CLEAN', 'INFECTED', 'FAILED');
CREATE TYPE notification_channel AS ENUM ('EMAIL', 'SMS', 'IN_APP', 'SLACK');
CREATE TYPE notification_status AS ENUM ('PENDING', 'SENT', 'DELIVERED', 'FAILED', 'RETRYING');

-- Keeps updated_at honest on every table that has one; attached per table
-- by the migrations that create them.
CREATE OR REPLACE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS 'BEFORE UPDATE trigger: stamps updated_at with now()';
