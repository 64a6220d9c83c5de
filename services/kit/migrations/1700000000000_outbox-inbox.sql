-- Up Migration
-- Outgoing messages, written in the same transaction as the state change they announce.
CREATE TABLE kit_outbox (
  position bigserial PRIMARY KEY,
  message_id uuid NOT NULL UNIQUE,
  exchange text NOT NULL,
  routing_key text NOT NULL,
  message_type text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX kit_outbox_unpublished ON kit_outbox (position) WHERE published_at IS NULL;

-- Messages a consumer has handled, recorded in the same transaction as the handler's effect.
CREATE TABLE kit_inbox (
  consumer text NOT NULL,
  message_id text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);

-- Down Migration
DROP TABLE kit_inbox;
DROP TABLE kit_outbox;
