-- U5: undo V5, drop notifications and escalations.

DROP TABLE notifications;
DROP TABLE escalations;
