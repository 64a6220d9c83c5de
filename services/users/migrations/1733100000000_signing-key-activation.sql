-- Up Migration
-- A key is published from created_at and signs from activates_at, which lies further ahead than the
-- edge caches the JWKS. A key stops signing when a newer key activates, so that time is derived, not stored.
ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL;
ALTER TABLE signing_keys DROP COLUMN retired_at;

-- Down Migration
ALTER TABLE signing_keys ADD COLUMN retired_at timestamptz;
UPDATE signing_keys k SET retired_at = (
  SELECT min(n.activates_at) FROM signing_keys n WHERE n.activates_at > k.activates_at
);
ALTER TABLE signing_keys DROP COLUMN activates_at;
