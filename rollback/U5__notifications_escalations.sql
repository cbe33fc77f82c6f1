-- U5: undo V5, drop notifications and escalations (their indexes go with them).

DROP TABLE notifications;
DROP TABLE escalations;
