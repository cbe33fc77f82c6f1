-- V4: tickets, comments, attachments and the ticket history.
--
-- Triggers on tickets, in firing order (PostgreSQL fires same-timing
-- triggers by name):
--   trg_tickets_apply_sla      BEFORE INSERT: picks the active policy for the
--                              priority and sets the due dates
--   trg_tickets_search_vector  BEFORE INSERT/UPDATE: rebuilds search_vector
--   trg_tickets_updated_at     BEFORE UPDATE: stamps updated_at
--   trg_tickets_history        AFTER INSERT/UPDATE: logs creation and every
--                              status, priority and assignee change
-- The user making a change is read from the app.current_user_id setting,
-- which the application sets per transaction (SET LOCAL).

CREATE SEQUENCE ticket_number_seq START WITH 1000;

CREATE TABLE tickets (
    id                uuid            PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_number     varchar(20)     NOT NULL UNIQUE
                      DEFAULT 'TKT-' || lpad(nextval('ticket_number_seq')::text, 6, '0'),
    title             varchar(200)    NOT NULL,
    description       text            NOT NULL,
    category          varchar(50)     NOT NULL DEFAULT 'GENERAL',
    status            ticket_status   NOT NULL DEFAULT 'NEW',
    priority          ticket_priority NOT NULL DEFAULT 'P3',
    requestor_id      uuid            NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    assigned_to       uuid            REFERENCES users (id) ON DELETE SET NULL,
    sla_policy_id     integer         REFERENCES sla_policies (id) ON DELETE SET NULL,
    response_due_at   timestamptz,
    resolution_due_at timestamptz,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    custom_fields     jsonb           NOT NULL DEFAULT '{}'::jsonb,
    search_vector     tsvector,
    created_at        timestamptz     NOT NULL DEFAULT now(),
    updated_at        timestamptz     NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    CONSTRAINT tickets_resolved_has_time
        CHECK (status NOT IN ('RESOLVED', 'CLOSED') OR resolved_at IS NOT NULL)
);

ALTER SEQUENCE ticket_number_seq OWNED BY tickets.ticket_number;

CREATE INDEX idx_tickets_search ON tickets USING gin (search_vector);
CREATE INDEX idx_tickets_requestor ON tickets (requestor_id, created_at DESC);
CREATE INDEX idx_tickets_sla_policy ON tickets (sla_policy_id);
CREATE INDEX idx_tickets_open_by_assignee ON tickets (assigned_to, priority)
    WHERE deleted_at IS NULL AND status NOT IN ('RESOLVED', 'CLOSED');
CREATE INDEX idx_tickets_unassigned ON tickets (priority, created_at)
    WHERE assigned_to IS NULL AND deleted_at IS NULL;
CREATE INDEX idx_tickets_resolution_due ON tickets (resolution_due_at)
    WHERE status NOT IN ('RESOLVED', 'CLOSED');
CREATE INDEX idx_tickets_custom_fields ON tickets USING gin (custom_fields);

CREATE OR REPLACE FUNCTION tickets_apply_sla()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    policy sla_policies%ROWTYPE;
BEGIN
    IF NEW.sla_policy_id IS NULL THEN
        SELECT * INTO policy FROM sla_policies WHERE priority = NEW.priority AND is_active;
    ELSE
        SELECT * INTO policy FROM sla_policies WHERE id = NEW.sla_policy_id;
    END IF;
    IF FOUND THEN
        NEW.sla_policy_id := policy.id;
        NEW.response_due_at := coalesce(NEW.response_due_at,
            NEW.created_at + make_interval(hours => policy.response_time));
        NEW.resolution_due_at := coalesce(NEW.resolution_due_at,
            NEW.created_at + make_interval(hours => policy.resolution_time));
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION tickets_search_vector_update()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.category, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END;
$$;

-- Writes one ticket_history row per changed field. A function body with
-- its own dollar tag, quotes and semicolons: the splitter must keep it whole.
CREATE OR REPLACE FUNCTION log_ticket_changes()
RETURNS trigger
LANGUAGE plpgsql
AS $body$
DECLARE
    actor uuid := nullif(current_setting('app.current_user_id', true), '')::uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_history (ticket_id, changed_by, change_type, new_value)
        VALUES (NEW.id, coalesce(actor, NEW.requestor_id), 'CREATED', NEW.status::text);
        RETURN NEW;
    END IF;

    IF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO ticket_history (ticket_id, changed_by, change_type, field_name, old_value,
                                    new_value)
        VALUES (NEW.id, actor, 'STATUS_CHANGE', 'status', OLD.status::text, NEW.status::text);
    END IF;
    IF NEW.priority IS DISTINCT FROM OLD.priority THEN
        INSERT INTO ticket_history (ticket_id, changed_by, change_type, field_name, old_value,
                                    new_value)
        VALUES (NEW.id, actor, 'PRIORITY_CHANGE', 'priority', OLD.priority::text,
                NEW.priority::text);
    END IF;
    IF NEW.assigned_to IS DISTINCT FROM OLD.assigned_to THEN
        INSERT INTO ticket_history (ticket_id, changed_by, change_type, field_name, old_value,
                                    new_value, change_metadata)
        VALUES (NEW.id, actor, 'ASSIGNMENT', 'assigned_to', OLD.assigned_to::text,
                NEW.assigned_to::text,
                jsonb_build_object('reassigned', OLD.assigned_to IS NOT NULL));
    END IF;
    RETURN NEW;
END;
$body$;

CREATE TRIGGER trg_tickets_apply_sla
    BEFORE INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_apply_sla();

CREATE TRIGGER trg_tickets_search_vector
    BEFORE INSERT OR UPDATE OF title, description, category ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_search_vector_update();

CREATE TRIGGER trg_tickets_updated_at
    BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE comments (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id   uuid        NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id   uuid        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    content     text        NOT NULL CHECK (length(btrim(content)) > 0),
    is_internal boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

CREATE INDEX idx_comments_ticket ON comments (ticket_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX idx_comments_author ON comments (author_id);

CREATE TRIGGER trg_comments_updated_at
    BEFORE UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE attachments (
    id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id   uuid         REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id  uuid         REFERENCES comments (id) ON DELETE CASCADE,
    uploaded_by uuid         REFERENCES users (id) ON DELETE SET NULL,
    file_name   varchar(255) NOT NULL,
    file_path   text         NOT NULL,
    mime_type   varchar(100) NOT NULL,
    file_size   bigint       NOT NULL CHECK (file_size > 0 AND file_size <= 50 * 1024 * 1024),
    checksum    char(64),
    scan_status scan_status  NOT NULL DEFAULT 'PENDING',
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT attachments_one_owner CHECK ((ticket_id IS NULL) <> (comment_id IS NULL))
);

CREATE INDEX idx_attachments_ticket ON attachments (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX idx_attachments_comment ON attachments (comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX idx_attachments_pending_scan ON attachments (created_at) WHERE scan_status = 'PENDING';

CREATE TABLE ticket_history (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       uuid        NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    changed_by      uuid        REFERENCES users (id) ON DELETE SET NULL,
    change_type     change_type NOT NULL,
    field_name      varchar(50),
    old_value       text,
    new_value       text,
    change_metadata jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_ticket_history_ticket ON ticket_history (ticket_id, created_at DESC);
CREATE INDEX idx_ticket_history_changed_by ON ticket_history (changed_by);

CREATE TRIGGER trg_tickets_history
    AFTER INSERT OR UPDATE OF status, priority, assigned_to ON tickets
    FOR EACH ROW EXECUTE FUNCTION log_ticket_changes();
