-- Up Migration
-- Failures count per (account, client address), so an attacker's guesses lock the attacker out and
-- not the owner signing in from elsewhere; and per client address across accounts, so one address
-- cannot try a few passwords on every account.
ALTER TABLE login_failures ADD COLUMN client_ip text NOT NULL DEFAULT '';
ALTER TABLE login_failures DROP CONSTRAINT login_failures_pkey;
ALTER TABLE login_failures ADD PRIMARY KEY (email, client_ip);

CREATE TABLE login_failures_by_ip (
  client_ip text PRIMARY KEY,
  failures integer NOT NULL,
  locked_until timestamptz,
  last_failure_at timestamptz NOT NULL
);

-- Down Migration
DROP TABLE login_failures_by_ip;
DELETE FROM login_failures WHERE client_ip <> '';
ALTER TABLE login_failures DROP CONSTRAINT login_failures_pkey;
ALTER TABLE login_failures ADD PRIMARY KEY (email);
ALTER TABLE login_failures DROP COLUMN client_ip;
