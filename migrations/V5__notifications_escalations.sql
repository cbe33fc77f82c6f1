-- V5: escalations of tickets and notifications to users.
--
-- escalations.ticket_id, notifications.user_id and notifications.ticket_id
-- are ON DELETE CASCADE as the cardinality summary lists; an escalation's
-- policy and the people named on it become NULL when those rows go.
-- channels is a comma-separated list (EMAIL,SMS,IN_APP,SLACK): arrays are
-- PostgreSQL-only.

CREATE TABLE escalations (
    id                INTEGER      NOT NULL PRIMARY KEY,
    ticket_id         INTEGER      NOT NULL,
    sla_policy_id     INTEGER,
    escalated_by      INTEGER,
    escalated_to      INTEGER,
    escalation_level  INTEGER      NOT NULL DEFAULT 1,
    escalation_reason VARCHAR(500) NOT NULL,
    is_sla_breach     BOOLEAN      NOT NULL DEFAULT FALSE,
    is_resolved       BOOLEAN      NOT NULL DEFAULT FALSE,
    resolved_at       TIMESTAMP    NULL,
    created_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ck_escalations_level CHECK (escalation_level BETWEEN 1 AND 5),
    CONSTRAINT fk_escalations_ticket FOREIGN KEY (ticket_id)
        REFERENCES tickets (id) ON DELETE CASCADE,
    CONSTRAINT fk_escalations_sla_policy FOREIGN KEY (sla_policy_id)
        REFERENCES sla_policies (id) ON DELETE SET NULL,
    CONSTRAINT fk_escalations_escalated_by FOREIGN KEY (escalated_by)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_escalations_escalated_to FOREIGN KEY (escalated_to)
        REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX idx_escalations_ticket_level ON escalations (ticket_id, escalation_level);
CREATE INDEX idx_escalations_sla_policy_id ON escalations (sla_policy_id);
CREATE INDEX idx_escalations_escalated_by ON escalations (escalated_by);
CREATE INDEX idx_escalations_escalated_to ON escalations (escalated_to, is_resolved);

CREATE TABLE notifications (
    id                INTEGER      NOT NULL PRIMARY KEY,
    user_id           INTEGER      NOT NULL,
    ticket_id         INTEGER,
    notification_type VARCHAR(50)  NOT NULL,
    title             VARCHAR(200) NOT NULL,
    message           TEXT         NOT NULL,
    channels          VARCHAR(100) NOT NULL DEFAULT 'IN_APP',
    status            VARCHAR(20)  NOT NULL DEFAULT 'PENDING',
    is_read           BOOLEAN      NOT NULL DEFAULT FALSE,
    read_at           TIMESTAMP    NULL,
    email_sent_at     TIMESTAMP    NULL,
    sms_sent_at       TIMESTAMP    NULL,
    retry_count       INTEGER      NOT NULL DEFAULT 0,
    max_retries       INTEGER      NOT NULL DEFAULT 3,
    created_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ck_notifications_status CHECK (status IN ('PENDING', 'SENT', 'DELIVERED', 'FAILED',
        'RETRYING')),
    CONSTRAINT ck_notifications_retries CHECK (retry_count >= 0 AND retry_count <= max_retries),
    CONSTRAINT fk_notifications_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_notifications_ticket FOREIGN KEY (ticket_id)
        REFERENCES tickets (id) ON DELETE CASCADE
);

CREATE INDEX idx_notifications_user_unread ON notifications (user_id, is_read);
CREATE INDEX idx_notifications_ticket_id ON notifications (ticket_id);
CREATE INDEX idx_notifications_status_retry ON notifications (status, retry_count);
