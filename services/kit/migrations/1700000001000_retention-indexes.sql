-- Up Migration

-- Retention deletes published outbox rows and handled inbox ids by age, in bounded batches; these
-- indexes let each batch find its rows without reading the whole table.
CREATE INDEX kit_outbox_published ON kit_outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX kit_inbox_handled ON kit_inbox (handled_at);

-- Down Migration
DROP INDEX kit_inbox_handled;
DROP INDEX kit_outbox_published;
