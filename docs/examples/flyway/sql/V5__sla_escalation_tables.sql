CREATE TABLE sla_policies (
    id INTEGER PRIMARY KEY,
    priority INTEGER NOT NULL UNIQUE,
    response_minutes INTEGER NOT NULL,
    resolve_minutes INTEGER NOT NULL
);

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    escalated_to INTEGER NOT NULL REFERENCES users (id),
    reason VARCHAR(200) NOT NULL,
    escalated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

INSERT INTO sla_policies (id, priority, response_minutes, resolve_minutes) VALUES (1, 1, 15, 240);
INSERT INTO sla_policies (id, priority, response_minutes, resolve_minutes) VALUES (2, 2, 60, 1440);
INSERT INTO sla_policies (id, priority, response_minutes, resolve_minutes) VALUES (3, 3, 240, 4320);
