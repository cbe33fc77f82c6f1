DROP INDEX idx_notifications_user;
DROP INDEX idx_comments_ticket;
DROP INDEX idx_tickets_assignee;
DROP INDEX idx_tickets_status_priority;
