-- U1: undo V1, drop the shared trigger function and the enum types.

DROP FUNCTION set_updated_at();

DROP TYPE notification_status;
DROP TYPE notification_channel;
DROP TYPE scan_status;
DROP TYPE change_type;
DROP TYPE ticket_priority;
DROP TYPE ticket_status;
DROP TYPE user_status;
DROP TYPE user_role;
