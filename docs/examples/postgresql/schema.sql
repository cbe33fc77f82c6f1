SET search_path = public;
SET check_function_bodies = false;

CREATE TYPE change_type AS ENUM ('CREATED', 'STATUS_CHANGE', 'PRIORITY_CHANGE', 'ASSIGNMENT', 'COMMENT', 'ATTACHMENT', 'ESCALATION', 'UPDATE');

CREATE TYPE notification_channel AS ENUM ('EMAIL', 'SMS', 'IN_APP', 'SLACK');

CREATE TYPE notification_status AS ENUM ('PENDING', 'SENT', 'DELIVERED', 'FAILED', 'RETRYING');

CREATE TYPE scan_status AS ENUM ('PENDING', 'CLEAN', 'INFECTED', 'FAILED');

CREATE TYPE ticket_priority AS ENUM ('P1', 'P2', 'P3', 'P4');

CREATE TYPE ticket_status AS ENUM ('NEW', 'OPEN', 'IN_PROGRESS', 'PENDING_INFO', 'ESCALATED', 'RESOLVED', 'CLOSED', 'REOPENED');

CREATE TYPE user_role AS ENUM ('END_USER', 'AGENT', 'TEAM_LEAD', 'MANAGER', 'ADMIN');

CREATE TYPE user_status AS ENUM ('ACTIVE', 'INACTIVE', 'LOCKED', 'PENDING');

CREATE OR REPLACE FUNCTION public.log_ticket_changes()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION public.refresh_reporting_views()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_ticket_stats;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_agent_performance;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_sla_compliance;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_category_summary;
    RAISE NOTICE 'reporting views refreshed at %', now();
END;
$function$;

CREATE OR REPLACE FUNCTION public.set_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$function$;

CREATE OR REPLACE FUNCTION public.tickets_apply_sla()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION public.tickets_search_vector_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.category, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END;
$function$;

CREATE SEQUENCE ticket_number_seq AS bigint START WITH 1000 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1;

CREATE TABLE attachments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    ticket_id uuid,
    comment_id uuid,
    uploaded_by uuid,
    file_name character varying(255) NOT NULL,
    file_path text NOT NULL,
    mime_type character varying(100) NOT NULL,
    file_size bigint NOT NULL,
    checksum character(64),
    scan_status scan_status DEFAULT 'PENDING'::scan_status NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT attachments_pkey PRIMARY KEY (id),
    CONSTRAINT attachments_file_size_check CHECK (((file_size > 0) AND (file_size <= ((50 * 1024) * 1024)))),
    CONSTRAINT attachments_one_owner CHECK (((ticket_id IS NULL) <> (comment_id IS NULL)))
);

CREATE TABLE audit_logs (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    user_id uuid,
    action_type character varying(50) NOT NULL,
    resource_type character varying(50) NOT NULL,
    resource_id text,
    old_values jsonb,
    new_values jsonb,
    ip_address inet,
    user_agent text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_logs_pkey PRIMARY KEY (id)
);

CREATE TABLE comments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    ticket_id uuid NOT NULL,
    author_id uuid NOT NULL,
    content text NOT NULL,
    is_internal boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT comments_pkey PRIMARY KEY (id),
    CONSTRAINT comments_content_check CHECK ((length(btrim(content)) > 0))
);

CREATE TABLE escalations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    ticket_id uuid NOT NULL,
    sla_policy_id integer,
    escalated_by uuid,
    escalated_to uuid,
    escalation_level smallint DEFAULT 1 NOT NULL,
    escalation_reason text NOT NULL,
    is_sla_breach boolean DEFAULT false NOT NULL,
    is_resolved boolean DEFAULT false NOT NULL,
    resolved_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT escalations_pkey PRIMARY KEY (id),
    CONSTRAINT escalations_unique_level UNIQUE (ticket_id, escalation_level),
    CONSTRAINT escalations_escalation_level_check CHECK (((escalation_level >= 1) AND (escalation_level <= 5)))
);

CREATE TABLE notifications (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    ticket_id uuid,
    notification_type character varying(50) NOT NULL,
    title character varying(200) NOT NULL,
    message text NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    channels notification_channel[] DEFAULT ARRAY['IN_APP'::notification_channel] NOT NULL,
    status notification_status DEFAULT 'PENDING'::notification_status NOT NULL,
    is_read boolean DEFAULT false NOT NULL,
    read_at timestamp with time zone,
    email_sent_at timestamp with time zone,
    sms_sent_at timestamp with time zone,
    retry_count smallint DEFAULT 0 NOT NULL,
    max_retries smallint DEFAULT 3 NOT NULL,
    next_retry_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_channels_not_empty CHECK ((cardinality(channels) > 0)),
    CONSTRAINT notifications_retries CHECK (((retry_count >= 0) AND (retry_count <= max_retries)))
);

CREATE TABLE password_resets (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    token_hash character varying(255) NOT NULL,
    is_used boolean DEFAULT false NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '01:00:00'::interval) NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT password_resets_pkey PRIMARY KEY (id),
    CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash),
    CONSTRAINT password_resets_used_at CHECK ((is_used = (used_at IS NOT NULL)))
);

CREATE TABLE refresh_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    token_hash character varying(255) NOT NULL,
    token_family uuid NOT NULL,
    device_info jsonb,
    ip_address inet,
    is_revoked boolean DEFAULT false NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE sla_policies (
    id integer GENERATED BY DEFAULT AS IDENTITY NOT NULL,
    policy_name character varying(100) NOT NULL,
    description text,
    priority ticket_priority NOT NULL,
    response_time integer NOT NULL,
    resolution_time integer NOT NULL,
    escalation_levels jsonb DEFAULT '[]'::jsonb NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sla_policies_pkey PRIMARY KEY (id),
    CONSTRAINT sla_policies_policy_name_key UNIQUE (policy_name),
    CONSTRAINT sla_policies_levels_array CHECK ((jsonb_typeof(escalation_levels) = 'array'::text)),
    CONSTRAINT sla_policies_response_time_check CHECK ((response_time > 0)),
    CONSTRAINT sla_policies_times CHECK ((resolution_time >= response_time))
);

CREATE TABLE ticket_history (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    ticket_id uuid NOT NULL,
    changed_by uuid,
    change_type change_type NOT NULL,
    field_name character varying(50),
    old_value text,
    new_value text,
    change_metadata jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ticket_history_pkey PRIMARY KEY (id)
);

CREATE TABLE tickets (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    ticket_number character varying(20) DEFAULT ('TKT-'::text || lpad((nextval('ticket_number_seq'::regclass))::text, 6, '0'::text)) NOT NULL,
    title character varying(200) NOT NULL,
    description text NOT NULL,
    category character varying(50) DEFAULT 'GENERAL'::character varying NOT NULL,
    status ticket_status DEFAULT 'NEW'::ticket_status NOT NULL,
    priority ticket_priority DEFAULT 'P3'::ticket_priority NOT NULL,
    requestor_id uuid NOT NULL,
    assigned_to uuid,
    sla_policy_id integer,
    response_due_at timestamp with time zone,
    resolution_due_at timestamp with time zone,
    first_response_at timestamp with time zone,
    resolved_at timestamp with time zone,
    closed_at timestamp with time zone,
    custom_fields jsonb DEFAULT '{}'::jsonb NOT NULL,
    search_vector tsvector,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    external_ref character varying(64),
    CONSTRAINT tickets_pkey PRIMARY KEY (id),
    CONSTRAINT tickets_ticket_number_key UNIQUE (ticket_number),
    CONSTRAINT tickets_resolved_has_time CHECK (((status <> ALL (ARRAY['RESOLVED'::ticket_status, 'CLOSED'::ticket_status])) OR (resolved_at IS NOT NULL)))
);

CREATE TABLE user_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    session_token character varying(255) NOT NULL,
    ip_address inet,
    user_agent text,
    location character varying(100),
    is_active boolean DEFAULT true NOT NULL,
    last_activity_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT user_sessions_session_token_key UNIQUE (session_token)
);

CREATE TABLE users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    username character varying(50) NOT NULL,
    email character varying(255) NOT NULL,
    password_hash character varying(255) NOT NULL,
    full_name character varying(100),
    role user_role DEFAULT 'END_USER'::user_role NOT NULL,
    status user_status DEFAULT 'ACTIVE'::user_status NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    mfa_enabled boolean DEFAULT false NOT NULL,
    mfa_secret character varying(255),
    preferences jsonb DEFAULT '{}'::jsonb NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_format CHECK (((email)::text ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text)),
    CONSTRAINT users_mfa_secret_required CHECK (((NOT mfa_enabled) OR (mfa_secret IS NOT NULL)))
);

CREATE MATERIALIZED VIEW mv_agent_performance AS
 SELECT t.assigned_to AS user_id,
    count(*) AS handled,
    count(*) FILTER (WHERE (t.resolved_at <= t.resolution_due_at)) AS resolved_in_sla,
    avg((EXTRACT(epoch FROM (t.first_response_at - t.created_at)) / 60.0)) AS avg_first_response_minutes
   FROM tickets t
  WHERE ((t.assigned_to IS NOT NULL) AND (t.deleted_at IS NULL))
  GROUP BY t.assigned_to
WITH NO DATA;

CREATE MATERIALIZED VIEW mv_category_summary AS
 SELECT tickets.category,
    tickets.status,
    count(*) AS tickets
   FROM tickets
  WHERE (tickets.deleted_at IS NULL)
  GROUP BY tickets.category, tickets.status
WITH NO DATA;

CREATE MATERIALIZED VIEW mv_daily_ticket_stats AS
 SELECT (date_trunc('day'::text, tickets.created_at))::date AS day,
    tickets.priority,
    count(*) AS created,
    count(*) FILTER (WHERE (tickets.status = ANY (ARRAY['RESOLVED'::ticket_status, 'CLOSED'::ticket_status]))) AS resolved,
    avg((EXTRACT(epoch FROM (tickets.resolved_at - tickets.created_at)) / 3600.0)) FILTER (WHERE (tickets.resolved_at IS NOT NULL)) AS avg_resolution_hours
   FROM tickets
  WHERE (tickets.deleted_at IS NULL)
  GROUP BY ((date_trunc('day'::text, tickets.created_at))::date), tickets.priority
WITH NO DATA;

CREATE MATERIALIZED VIEW mv_sla_compliance AS
 SELECT p.id AS sla_policy_id,
    p.policy_name,
    p.priority,
    count(t.id) AS tickets,
    count(t.id) FILTER (WHERE (t.first_response_at <= t.response_due_at)) AS responses_in_sla,
    count(t.id) FILTER (WHERE (t.resolved_at <= t.resolution_due_at)) AS resolutions_in_sla,
    count(e.id) FILTER (WHERE e.is_sla_breach) AS breaches
   FROM ((sla_policies p
     LEFT JOIN tickets t ON (((t.sla_policy_id = p.id) AND (t.deleted_at IS NULL))))
     LEFT JOIN escalations e ON ((e.ticket_id = t.id)))
  GROUP BY p.id, p.policy_name, p.priority
WITH NO DATA;

CREATE VIEW v_agent_workload AS
 SELECT u.id AS user_id,
    u.username,
    count(t.id) AS open_tickets,
    count(t.id) FILTER (WHERE (t.priority = 'P1'::ticket_priority)) AS open_p1,
    count(t.id) FILTER (WHERE (t.resolution_due_at < now())) AS overdue
   FROM (users u
     LEFT JOIN tickets t ON (((t.assigned_to = u.id) AND (t.deleted_at IS NULL) AND (t.status <> ALL (ARRAY['RESOLVED'::ticket_status, 'CLOSED'::ticket_status])))))
  WHERE ((u.role = ANY (ARRAY['AGENT'::user_role, 'TEAM_LEAD'::user_role])) AND (u.deleted_at IS NULL))
  GROUP BY u.id, u.username;

CREATE VIEW v_open_tickets AS
 SELECT t.id,
    t.ticket_number,
    t.title,
    t.status,
    t.priority,
    t.assigned_to,
    a.username AS assignee,
    t.resolution_due_at,
    (t.resolution_due_at < now()) AS is_overdue,
    t.created_at
   FROM (tickets t
     LEFT JOIN users a ON ((a.id = t.assigned_to)))
  WHERE ((t.deleted_at IS NULL) AND (t.status <> ALL (ARRAY['RESOLVED'::ticket_status, 'CLOSED'::ticket_status])));

CREATE INDEX idx_attachments_comment ON public.attachments USING btree (comment_id) WHERE (comment_id IS NOT NULL);

CREATE INDEX idx_attachments_pending_scan ON public.attachments USING btree (created_at) WHERE (scan_status = 'PENDING'::scan_status);

CREATE INDEX idx_attachments_ticket ON public.attachments USING btree (ticket_id) WHERE (ticket_id IS NOT NULL);

CREATE INDEX idx_audit_logs_new_values ON public.audit_logs USING gin (new_values);

CREATE INDEX idx_audit_logs_resource ON public.audit_logs USING btree (resource_type, resource_id);

CREATE INDEX idx_audit_logs_user_created ON public.audit_logs USING btree (user_id, created_at DESC);

CREATE INDEX idx_comments_author ON public.comments USING btree (author_id);

CREATE INDEX idx_comments_ticket ON public.comments USING btree (ticket_id, created_at) WHERE (deleted_at IS NULL);

CREATE INDEX idx_escalations_breaches ON public.escalations USING btree (created_at) WHERE is_sla_breach;

CREATE INDEX idx_escalations_open ON public.escalations USING btree (escalated_to, created_at) WHERE (NOT is_resolved);

CREATE INDEX idx_escalations_sla_policy ON public.escalations USING btree (sla_policy_id);

CREATE UNIQUE INDEX idx_mv_agent_performance ON public.mv_agent_performance USING btree (user_id);

CREATE UNIQUE INDEX idx_mv_category_summary ON public.mv_category_summary USING btree (category, status);

CREATE UNIQUE INDEX idx_mv_daily_ticket_stats ON public.mv_daily_ticket_stats USING btree (day, priority);

CREATE UNIQUE INDEX idx_mv_sla_compliance ON public.mv_sla_compliance USING btree (sla_policy_id);

CREATE INDEX idx_notifications_channels ON public.notifications USING gin (channels);

CREATE INDEX idx_notifications_retry_queue ON public.notifications USING btree (next_retry_at) WHERE (status = ANY (ARRAY['PENDING'::notification_status, 'RETRYING'::notification_status]));

CREATE INDEX idx_notifications_ticket ON public.notifications USING btree (ticket_id);

CREATE INDEX idx_notifications_unread ON public.notifications USING btree (user_id, created_at DESC) WHERE (NOT is_read);

CREATE INDEX idx_password_resets_pending ON public.password_resets USING btree (user_id, expires_at) WHERE (NOT is_used);

CREATE INDEX idx_refresh_tokens_family ON public.refresh_tokens USING btree (token_family);

CREATE INDEX idx_refresh_tokens_live ON public.refresh_tokens USING btree (user_id, expires_at) WHERE (NOT is_revoked);

CREATE INDEX idx_refresh_tokens_user_id ON public.refresh_tokens USING btree (user_id);

CREATE UNIQUE INDEX idx_sla_policies_active_priority ON public.sla_policies USING btree (priority) WHERE is_active;

CREATE INDEX idx_ticket_history_changed_by ON public.ticket_history USING btree (changed_by);

CREATE INDEX idx_ticket_history_ticket ON public.ticket_history USING btree (ticket_id, created_at DESC);

CREATE INDEX idx_tickets_custom_fields ON public.tickets USING gin (custom_fields);

CREATE INDEX idx_tickets_external_ref ON public.tickets USING btree (external_ref) WHERE (external_ref IS NOT NULL);

CREATE INDEX idx_tickets_open_by_assignee ON public.tickets USING btree (assigned_to, priority) WHERE ((deleted_at IS NULL) AND (status <> ALL (ARRAY['RESOLVED'::ticket_status, 'CLOSED'::ticket_status])));

CREATE INDEX idx_tickets_requestor ON public.tickets USING btree (requestor_id, created_at DESC);

CREATE INDEX idx_tickets_resolution_due ON public.tickets USING btree (resolution_due_at) WHERE (status <> ALL (ARRAY['RESOLVED'::ticket_status, 'CLOSED'::ticket_status]));

CREATE INDEX idx_tickets_search ON public.tickets USING gin (search_vector);

CREATE INDEX idx_tickets_sla_policy ON public.tickets USING btree (sla_policy_id);

CREATE INDEX idx_tickets_tags ON public.tickets USING gin (tags);

CREATE INDEX idx_tickets_unassigned ON public.tickets USING btree (priority, created_at) WHERE ((assigned_to IS NULL) AND (deleted_at IS NULL));

CREATE INDEX idx_user_sessions_active ON public.user_sessions USING btree (user_id, last_activity_at DESC) WHERE is_active;

CREATE INDEX idx_users_email_lower ON public.users USING btree (lower((email)::text));

CREATE INDEX idx_users_preferences ON public.users USING gin (preferences jsonb_path_ops);

CREATE INDEX idx_users_role_active ON public.users USING btree (role) WHERE ((deleted_at IS NULL) AND is_active);

ALTER TABLE ONLY attachments
    ADD CONSTRAINT attachments_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments(id) ON DELETE CASCADE;

ALTER TABLE ONLY attachments
    ADD CONSTRAINT attachments_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id) ON DELETE CASCADE;

ALTER TABLE ONLY attachments
    ADD CONSTRAINT attachments_uploaded_by_fkey FOREIGN KEY (uploaded_by) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE ONLY audit_logs
    ADD CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE ONLY comments
    ADD CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE RESTRICT;

ALTER TABLE ONLY comments
    ADD CONSTRAINT comments_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id) ON DELETE CASCADE;

ALTER TABLE ONLY escalations
    ADD CONSTRAINT escalations_escalated_by_fkey FOREIGN KEY (escalated_by) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE ONLY escalations
    ADD CONSTRAINT escalations_escalated_to_fkey FOREIGN KEY (escalated_to) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE ONLY escalations
    ADD CONSTRAINT escalations_sla_policy_id_fkey FOREIGN KEY (sla_policy_id) REFERENCES sla_policies(id) ON DELETE SET NULL;

ALTER TABLE ONLY escalations
    ADD CONSTRAINT escalations_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id) ON DELETE CASCADE;

ALTER TABLE ONLY notifications
    ADD CONSTRAINT notifications_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id) ON DELETE CASCADE;

ALTER TABLE ONLY notifications
    ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY password_resets
    ADD CONSTRAINT password_resets_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY refresh_tokens
    ADD CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY ticket_history
    ADD CONSTRAINT ticket_history_changed_by_fkey FOREIGN KEY (changed_by) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE ONLY ticket_history
    ADD CONSTRAINT ticket_history_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id) ON DELETE CASCADE;

ALTER TABLE ONLY tickets
    ADD CONSTRAINT tickets_assigned_to_fkey FOREIGN KEY (assigned_to) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE ONLY tickets
    ADD CONSTRAINT tickets_requestor_id_fkey FOREIGN KEY (requestor_id) REFERENCES users(id) ON DELETE RESTRICT;

ALTER TABLE ONLY tickets
    ADD CONSTRAINT tickets_sla_policy_id_fkey FOREIGN KEY (sla_policy_id) REFERENCES sla_policies(id) ON DELETE SET NULL;

ALTER TABLE ONLY user_sessions
    ADD CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER SEQUENCE ticket_number_seq OWNED BY tickets.ticket_number;

CREATE TRIGGER trg_comments_updated_at BEFORE UPDATE ON public.comments FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER trg_sla_policies_updated_at BEFORE UPDATE ON public.sla_policies FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER trg_tickets_apply_sla BEFORE INSERT ON public.tickets FOR EACH ROW EXECUTE FUNCTION tickets_apply_sla();

CREATE TRIGGER trg_tickets_history AFTER INSERT OR UPDATE OF status, priority, assigned_to ON public.tickets FOR EACH ROW EXECUTE FUNCTION log_ticket_changes();

CREATE TRIGGER trg_tickets_search_vector BEFORE INSERT OR UPDATE OF title, description, category ON public.tickets FOR EACH ROW EXECUTE FUNCTION tickets_search_vector_update();

CREATE TRIGGER trg_tickets_updated_at BEFORE UPDATE ON public.tickets FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

