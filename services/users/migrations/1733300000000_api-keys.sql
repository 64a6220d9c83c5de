-- Up Migration
-- API keys of machine clients. Only an HMAC-SHA256 of the secret under a server-side pepper is
-- stored (see adapters/api-key-hasher.ts); the key itself is shown once, when it is created.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  name text NOT NULL,
  scopes text[] NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);

-- Down Migration
DROP TABLE api_keys;
