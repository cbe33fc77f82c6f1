-- V7: free-form tags on tickets, backfilled from the category.
--
-- The DO block is a one-off data migration: it tags every existing ticket
-- with its lower-cased category and reports how many rows it touched.

ALTER TABLE tickets ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

DO $$
DECLARE
    touched bigint;
BEGIN
    UPDATE tickets
       SET tags = ARRAY[lower(category)]
     WHERE cardinality(tags) = 0;
    GET DIAGNOSTICS touched = ROW_COUNT;
    RAISE NOTICE 'tagged % existing ticket(s) with their category', touched;
END
$$;

CREATE INDEX idx_tickets_tags ON tickets USING gin (tags);
