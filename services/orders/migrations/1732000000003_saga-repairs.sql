-- Up Migration
-- Repairs of stuck sagas by the back office: who asked, why, the order and saga before and after.
-- The idempotency key is the client's: a repeated request finds its first repair here.
CREATE TABLE saga_repairs (
  idempotency_key text PRIMARY KEY,
  repair_id uuid NOT NULL UNIQUE,
  order_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('saga_retry', 'saga_force_cancel')),
  actor_id text NOT NULL,
  reason text NOT NULL,
  before jsonb NOT NULL,
  after jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_repairs_order ON saga_repairs (order_id, at);

-- Down Migration
DROP TABLE saga_repairs;
