-- V6: the four default SLA policies, one per priority.
--
-- Times are in hours; escalation_levels lists who is told at each level.
-- The undo script deletes exactly these ids.

INSERT INTO sla_policies (id, policy_name, description, priority, response_time, resolution_time,
                          escalation_levels, is_active)
VALUES
    (1, 'Critical', 'Service down for everyone', 'P1', 1, 4,
     '[{"level": 1, "after_hours": 1, "notify": "TEAM_LEAD"}, {"level": 2, "after_hours": 2, "notify": "MANAGER"}, {"level": 3, "after_hours": 4, "notify": "ADMIN"}]',
     TRUE),
    (2, 'High', 'Service degraded or a team blocked', 'P2', 4, 24,
     '[{"level": 1, "after_hours": 8, "notify": "TEAM_LEAD"}, {"level": 2, "after_hours": 24, "notify": "MANAGER"}]',
     TRUE),
    (3, 'Medium', 'One user blocked, workaround exists', 'P3', 8, 72,
     '[{"level": 1, "after_hours": 48, "notify": "TEAM_LEAD"}]',
     TRUE),
    (4, 'Low', 'Questions and requests', 'P4', 24, 168,
     '[]',
     TRUE);
