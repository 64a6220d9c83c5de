-- Up Migration
-- The event store: every order is a stream of events. (stream_id, version) is unique, which is what
-- makes an append with an expected version an optimistic-concurrency check. `position` gives all
-- events one global order; `schema_version` says which shape `data` has (upcasters lift old ones).
CREATE TABLE order_events (
  position bigserial PRIMARY KEY,
  stream_id uuid NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  event_type text NOT NULL,
  schema_version smallint NOT NULL DEFAULT 1,
  data jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT order_events_stream_version UNIQUE (stream_id, version)
);
CREATE INDEX order_events_stream_time ON order_events (stream_id, recorded_at);

-- Checkout requests by idempotency key: a retried checkout returns the order the first one placed.
CREATE TABLE checkouts (
  user_id text NOT NULL,
  idempotency_key text NOT NULL,
  order_id uuid NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, idempotency_key)
);

-- Carts: product and quantity only; prices come from the catalog whenever the cart is read.
CREATE TABLE cart_lines (
  user_id text NOT NULL,
  product_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, product_id)
);

-- Read model, kept by the projection in the same transaction as the events it reflects.
CREATE TABLE order_views (
  order_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL,
  total_minor bigint NOT NULL,
  currency text NOT NULL,
  placed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL,
  detail jsonb NOT NULL
);
CREATE INDEX order_views_by_user ON order_views (user_id, placed_at DESC, order_id DESC);

-- The checkout saga's durable state: which step each unfinished checkout is in and when it must be
-- looked at again (a retry of a call, or the step's timeout). A restarted service resumes from here.
CREATE TABLE checkout_sagas (
  order_id uuid PRIMARY KEY,
  step text NOT NULL,
  step_started_at timestamptz NOT NULL DEFAULT now(),
  deadline_at timestamptz,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  hold_id text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkout_sagas_due ON checkout_sagas (next_attempt_at) WHERE step <> 'done';

-- Down Migration
DROP TABLE checkout_sagas;
DROP TABLE order_views;
DROP TABLE cart_lines;
DROP TABLE checkouts;
DROP TABLE order_events;
