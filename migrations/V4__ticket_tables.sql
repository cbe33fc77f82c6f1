-- V4: tickets and everything recorded against a ticket.
--
-- Foreign keys follow the schema's cardinality summary exactly:
--   tickets.requestor_id   -> users         ON DELETE RESTRICT
--   tickets.assigned_to    -> users         ON DELETE SET NULL
--   tickets.sla_policy_id  -> sla_policies  ON DELETE SET NULL
--   comments.ticket_id     -> tickets       ON DELETE CASCADE
--   attachments.ticket_id  -> tickets       ON DELETE CASCADE
--   attachments.comment_id -> comments      ON DELETE CASCADE
--   ticket_history.ticket_id -> tickets     ON DELETE CASCADE
-- The people columns not in that summary keep their rows when a user goes:
-- comment authors are RESTRICT like requestors, uploaders and the author
-- of a history entry become NULL. Full-text search is left to the
-- PostgreSQL example; here title and category are plainly indexed.

CREATE TABLE tickets (
    id                INTEGER      NOT NULL PRIMARY KEY,
    ticket_number     VARCHAR(20)  NOT NULL,
    title             VARCHAR(200) NOT NULL,
    description       TEXT         NOT NULL,
    category          VARCHAR(50)  NOT NULL DEFAULT 'GENERAL',
    status            VARCHAR(20)  NOT NULL DEFAULT 'NEW',
    priority          VARCHAR(2)   NOT NULL DEFAULT 'P3',
    requestor_id      INTEGER      NOT NULL,
    assigned_to       INTEGER,
    sla_policy_id     INTEGER,
    response_due_at   TIMESTAMP    NULL,
    resolution_due_at TIMESTAMP    NULL,
    resolved_at       TIMESTAMP    NULL,
    closed_at         TIMESTAMP    NULL,
    created_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at        TIMESTAMP    NULL,
    CONSTRAINT uq_tickets_number UNIQUE (ticket_number),
    CONSTRAINT ck_tickets_status CHECK (status IN ('NEW', 'OPEN', 'IN_PROGRESS', 'PENDING_INFO',
        'ESCALATED', 'RESOLVED', 'CLOSED', 'REOPENED')),
    CONSTRAINT ck_tickets_priority CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    CONSTRAINT fk_tickets_requestor FOREIGN KEY (requestor_id)
        REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT fk_tickets_assignee FOREIGN KEY (assigned_to)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_tickets_sla_policy FOREIGN KEY (sla_policy_id)
        REFERENCES sla_policies (id) ON DELETE SET NULL
);

CREATE INDEX idx_tickets_requestor_id ON tickets (requestor_id);
CREATE INDEX idx_tickets_assigned_status ON tickets (assigned_to, status);
CREATE INDEX idx_tickets_sla_policy_id ON tickets (sla_policy_id);
CREATE INDEX idx_tickets_status_priority ON tickets (status, priority);
CREATE INDEX idx_tickets_category ON tickets (category);
CREATE INDEX idx_tickets_resolution_due_at ON tickets (resolution_due_at);
CREATE INDEX idx_tickets_created_at ON tickets (created_at);

CREATE TABLE comments (
    id          INTEGER   NOT NULL PRIMARY KEY,
    ticket_id   INTEGER   NOT NULL,
    author_id   INTEGER   NOT NULL,
    content     TEXT      NOT NULL,
    is_internal BOOLEAN   NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at  TIMESTAMP NULL,
    CONSTRAINT fk_comments_ticket FOREIGN KEY (ticket_id)
        REFERENCES tickets (id) ON DELETE CASCADE,
    CONSTRAINT fk_comments_author FOREIGN KEY (author_id)
        REFERENCES users (id) ON DELETE RESTRICT
);

CREATE INDEX idx_comments_ticket_created ON comments (ticket_id, created_at);
CREATE INDEX idx_comments_author_id ON comments (author_id);

CREATE TABLE attachments (
    id          INTEGER      NOT NULL PRIMARY KEY,
    ticket_id   INTEGER,
    comment_id  INTEGER,
    uploaded_by INTEGER,
    file_name   VARCHAR(255) NOT NULL,
    file_path   VARCHAR(500) NOT NULL,
    mime_type   VARCHAR(100) NOT NULL,
    file_size   BIGINT       NOT NULL,
    scan_status VARCHAR(20)  NOT NULL DEFAULT 'PENDING',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ck_attachments_file_size CHECK (file_size > 0 AND file_size <= 52428800),
    CONSTRAINT ck_attachments_scan_status CHECK (scan_status IN ('PENDING', 'CLEAN', 'INFECTED',
        'FAILED')),
    CONSTRAINT fk_attachments_ticket FOREIGN KEY (ticket_id)
        REFERENCES tickets (id) ON DELETE CASCADE,
    CONSTRAINT fk_attachments_comment FOREIGN KEY (comment_id)
        REFERENCES comments (id) ON DELETE CASCADE,
    CONSTRAINT fk_attachments_uploader FOREIGN KEY (uploaded_by)
        REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX idx_attachments_ticket_id ON attachments (ticket_id);
CREATE INDEX idx_attachments_comment_id ON attachments (comment_id);
CREATE INDEX idx_attachments_uploaded_by ON attachments (uploaded_by);
CREATE INDEX idx_attachments_scan_status ON attachments (scan_status);

CREATE TABLE ticket_history (
    id              INTEGER      NOT NULL PRIMARY KEY,
    ticket_id       INTEGER      NOT NULL,
    changed_by      INTEGER,
    change_type     VARCHAR(30)  NOT NULL,
    field_name      VARCHAR(50),
    old_value       VARCHAR(500),
    new_value       VARCHAR(500),
    change_metadata TEXT,
    created_at      TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ck_ticket_history_change_type CHECK (change_type IN ('CREATED', 'STATUS_CHANGE',
        'PRIORITY_CHANGE', 'ASSIGNMENT', 'COMMENT', 'ATTACHMENT', 'ESCALATION', 'UPDATE')),
    CONSTRAINT fk_ticket_history_ticket FOREIGN KEY (ticket_id)
        REFERENCES tickets (id) ON DELETE CASCADE,
    CONSTRAINT fk_ticket_history_user FOREIGN KEY (changed_by)
        REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX idx_ticket_history_ticket_created ON ticket_history (ticket_id, created_at);
CREATE INDEX idx_ticket_history_changed_by ON ticket_history (changed_by);
