-- Up Migration
-- The reply a handled command answered with, stored with its inbox row in the handling transaction
-- and published after the commit: a redelivery of the command (the broker's, after a crash before
-- the reply went out) sends it again, so a consumer that answers needs no outbox of its own.
ALTER TABLE kit_inbox ADD COLUMN reply jsonb;

-- Down Migration
ALTER TABLE kit_inbox DROP COLUMN reply;
