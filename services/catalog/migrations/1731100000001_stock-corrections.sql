-- Up Migration
-- Stock corrections by the back office: who set which count, why, and the count before. The key is the
-- client's idempotency key: a repeated request finds its first correction here.
CREATE TABLE stock_corrections (
  idempotency_key text PRIMARY KEY,
  correction_id uuid NOT NULL UNIQUE,
  product_id uuid NOT NULL REFERENCES products (id),
  actor_id text NOT NULL,
  reason text NOT NULL,
  on_hand_before integer NOT NULL,
  on_hand_after integer NOT NULL,
  reserved integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_corrections_product ON stock_corrections (product_id, at);

-- Down Migration
DROP TABLE stock_corrections;
