-- Up Migration
-- Where a session was started (the sign-in's User-Agent and client address), so a person reading
-- their list of sessions can tell their phone from a stranger's browser. Older sessions have neither.
ALTER TABLE refresh_families ADD COLUMN user_agent text, ADD COLUMN ip text;

-- Down Migration
ALTER TABLE refresh_families DROP COLUMN user_agent, DROP COLUMN ip;
