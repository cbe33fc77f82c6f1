-- V5: escalations and multi-channel notifications.
--
-- notifications.channels is an array of the notification_channel enum,
-- searched with a GIN index ("all notifications that go to Slack").

CREATE TABLE escalations (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id         uuid        NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    sla_policy_id     integer     REFERENCES sla_policies (id) ON DELETE SET NULL,
    escalated_by      uuid        REFERENCES users (id) ON DELETE SET NULL,
    escalated_to      uuid        REFERENCES users (id) ON DELETE SET NULL,
    escalation_level  smallint    NOT NULL DEFAULT 1 CHECK (escalation_level BETWEEN 1 AND 5),
    escalation_reason text        NOT NULL,
    is_sla_breach     boolean     NOT NULL DEFAULT false,
    is_resolved       boolean     NOT NULL DEFAULT false,
    resolved_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT escalations_unique_level UNIQUE (ticket_id, escalation_level)
);

CREATE INDEX idx_escalations_open ON escalations (escalated_to, created_at) WHERE NOT is_resolved;
CREATE INDEX idx_escalations_sla_policy ON escalations (sla_policy_id);
CREATE INDEX idx_escalations_breaches ON escalations (created_at) WHERE is_sla_breach;

CREATE TABLE notifications (
    id                uuid                   PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid                   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id         uuid                   REFERENCES tickets (id) ON DELETE CASCADE,
    notification_type varchar(50)            NOT NULL,
    title             varchar(200)           NOT NULL,
    message           text                   NOT NULL,
    payload           jsonb                  NOT NULL DEFAULT '{}'::jsonb,
    channels          notification_channel[] NOT NULL DEFAULT ARRAY['IN_APP']::notification_channel[],
    status            notification_status    NOT NULL DEFAULT 'PENDING',
    is_read           boolean                NOT NULL DEFAULT false,
    read_at           timestamptz,
    email_sent_at     timestamptz,
    sms_sent_at       timestamptz,
    retry_count       smallint               NOT NULL DEFAULT 0,
    max_retries       smallint               NOT NULL DEFAULT 3,
    next_retry_at     timestamptz,
    created_at        timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT notifications_channels_not_empty CHECK (cardinality(channels) > 0),
    CONSTRAINT notifications_retries CHECK (retry_count BETWEEN 0 AND max_retries)
);

CREATE INDEX idx_notifications_unread ON notifications (user_id, created_at DESC) WHERE NOT is_read;
CREATE INDEX idx_notifications_ticket ON notifications (ticket_id);
CREATE INDEX idx_notifications_channels ON notifications USING gin (channels);
CREATE INDEX idx_notifications_retry_queue ON notifications (next_retry_at)
    WHERE status IN ('PENDING', 'RETRYING');
