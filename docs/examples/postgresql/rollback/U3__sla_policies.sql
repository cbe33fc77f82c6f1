-- U3: undo V3, drop the SLA policies and their default rows.

DROP TABLE sla_policies;
