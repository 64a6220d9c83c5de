-- Up Migration
-- Step leases: a worker claims a due step for a while (lease_owner, lease_until), makes its remote call
-- with no transaction open, then records the outcome in a short transaction that still names it as
-- the owner. A worker that dies leaves a lease that expires, and another worker takes the step over
-- (every call is idempotent, so the repeat is safe).
-- order_state is the order aggregate as of its last event, written in the transactions that append
-- the order's events, so a step does not replay the stream (the append still checks the version).
ALTER TABLE checkout_sagas
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN order_state jsonb;

-- Down Migration
ALTER TABLE checkout_sagas DROP COLUMN lease_owner, DROP COLUMN lease_until, DROP COLUMN order_state;
