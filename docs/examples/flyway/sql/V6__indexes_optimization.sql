CREATE INDEX idx_tickets_status_priority ON tickets (status, priority);
CREATE INDEX idx_tickets_assignee ON tickets (assignee_id);
CREATE INDEX idx_comments_ticket ON ticket_comments (ticket_id);
CREATE INDEX idx_notifications_user ON notifications (user_id);
