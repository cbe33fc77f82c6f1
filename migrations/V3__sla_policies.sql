-- V3: service level agreement policies, one per ticket priority.
--
-- Response and resolution times are in hours. escalation_levels holds the
-- escalation ladder as JSON text (see V6 for the default policies).

CREATE TABLE sla_policies (
    id                INTEGER      NOT NULL PRIMARY KEY,
    policy_name       VARCHAR(100) NOT NULL,
    description       VARCHAR(500),
    priority          VARCHAR(2)   NOT NULL,
    response_time     INTEGER      NOT NULL,
    resolution_time   INTEGER      NOT NULL,
    escalation_levels TEXT,
    is_active         BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_sla_policies_name UNIQUE (policy_name),
    CONSTRAINT ck_sla_policies_priority CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    CONSTRAINT ck_sla_policies_times CHECK (response_time > 0 AND resolution_time >= response_time)
);

CREATE INDEX idx_sla_policies_priority_active ON sla_policies (priority, is_active);
