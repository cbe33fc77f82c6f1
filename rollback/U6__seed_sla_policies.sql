-- U6: undo V6, delete the four default SLA policies. Tickets and escalations
-- that used them keep their rows with sla_policy_id set to NULL.

DELETE FROM sla_policies WHERE id IN (1, 2, 3, 4);
