-- Up Migration
-- Access tokens that must stop before they expire: one session's (sign-out, a reused refresh token)
-- or every token of a user issued until issued_before (blocked, deleted, role or password changed).
-- Written in the transaction of its cause; every service reads them through the feed at
-- /internal/token-denials, ordered by the writing transaction's id (see token-denials-repository.ts).
CREATE TABLE token_denials (
  id bigserial PRIMARY KEY,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  user_id uuid NOT NULL,
  session_id uuid,
  issued_before timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  reason text NOT NULL
);
CREATE INDEX token_denials_txid ON token_denials (txid);
CREATE INDEX token_denials_expires ON token_denials (expires_at);

-- Down Migration
DROP TABLE token_denials;
