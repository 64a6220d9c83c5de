-- Up Migration
CREATE TABLE users (
  id uuid PRIMARY KEY,
  -- Normalized (trimmed, lower case). After a deletion it is replaced by an anonymous placeholder.
  email text NOT NULL,
  phone text,
  password_hash text NOT NULL,
  role text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'support', 'admin')),
  email_verified_at timestamptz,
  blocked_at timestamptz,
  blocked_reason text,
  deleted_at timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Two concurrent registrations of one email: exactly one insert wins.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created ON users (created_at DESC, id DESC);

-- A refresh-token family is one login session. Each refresh rotates the token inside the family;
-- presenting a spent token revokes the whole family.
CREATE TABLE refresh_families (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX refresh_families_user ON refresh_families (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY, -- SHA-256 of the token; the token itself is never stored
  family_id uuid NOT NULL REFERENCES refresh_families (id),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Email verification, password reset and second-factor challenges: single use, expiring, hashed.
CREATE TABLE one_time_tokens (
  token_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'login_challenge')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);

CREATE TABLE two_factor (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  secret text NOT NULL, -- base32 TOTP secret
  confirmed_at timestamptz, -- null while enrolment awaits its first code
  last_used_step bigint NOT NULL DEFAULT 0 -- a code is accepted once
);

CREATE TABLE recovery_codes (
  code_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  used_at timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Failed logins per normalized email, whether or not the account exists (no enumeration).
CREATE TABLE login_failures (
  email text PRIMARY KEY,
  failures integer NOT NULL,
  locked_until timestamptz,
  last_failure_at timestamptz NOT NULL
);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  algorithm text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when a newer key takes over; the public key stays in the JWKS until tokens it signed expire.
  retired_at timestamptz
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL,
  actor_id uuid,
  subject_id uuid,
  email text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, id DESC);
CREATE INDEX audit_log_event ON audit_log (event, id DESC);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE signing_keys;
DROP TABLE login_failures;
DROP TABLE recovery_codes;
DROP TABLE two_factor;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE refresh_families;
DROP TABLE users;
