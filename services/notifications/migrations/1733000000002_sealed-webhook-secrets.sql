-- Up Migration

-- Signing secrets are sealed at rest (AES-256-GCM under WEBHOOK_SECRET_ENCRYPTION_KEY, bound to the
-- row's id): a database dump alone cannot sign as the shop. A row holds one form; the service seals any
-- plain secret an older version stored when it starts, and then `secret` is null on every row.
alter table webhook_secrets add column sealed_secret jsonb;
alter table webhook_secrets alter column secret drop not null;
alter table webhook_secrets add constraint webhook_secrets_one_form
  check ((secret is null) <> (sealed_secret is null));

-- Down Migration
alter table webhook_secrets drop constraint webhook_secrets_one_form;
alter table webhook_secrets drop column sealed_secret;
