-- U3: undo V3, drop the SLA policies table (its index goes with it).

DROP TABLE sla_policies;
