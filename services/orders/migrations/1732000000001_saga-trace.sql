-- Up Migration
-- The checkout's trace context (W3C traceparent), so every later step of its saga, whichever process
-- or replica runs it, continues the trace the checkout request started.
ALTER TABLE checkout_sagas ADD COLUMN trace_context jsonb NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE checkout_sagas DROP COLUMN trace_context;
