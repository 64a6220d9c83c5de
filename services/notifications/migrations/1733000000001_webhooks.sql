-- Up Migration

-- Endpoints a user (or an integration acting as an admin) registered to receive events by HTTP POST.
-- 'own' endpoints get the events about their owner; 'shop' endpoints (admins only) get every user's.
create table webhook_endpoints (
  id uuid primary key,
  owner_id text not null,
  url text not null,
  description text not null default '',
  event_types text[] not null,
  scope text not null default 'own' check (scope in ('own', 'shop')),
  status text not null default 'enabled' check (status in ('enabled', 'disabled')),
  disabled_reason text,
  disabled_at timestamptz,
  -- First failure since the last success; an endpoint failing for long enough is disabled.
  failing_since timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index webhook_endpoints_by_owner on webhook_endpoints (owner_id, created_at desc);
create index webhook_endpoints_enabled on webhook_endpoints using gin (event_types) where status = 'enabled';

-- Signing secrets. The current one has no expiry; after a rotation the previous one signs too until
-- expires_at, so receivers can switch over without a window in which deliveries fail to verify.
-- Stored as they are: an HMAC needs the secret itself, not a hash of it.
create table webhook_secrets (
  id uuid primary key,
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  secret text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz
);
create index webhook_secrets_by_endpoint on webhook_secrets (endpoint_id);

-- One message to one endpoint: the durable queue and its log. id is the Standard Webhooks
-- `webhook-id`, the same on every attempt and on a replay, so receivers deduplicate on it.
create table webhook_deliveries (
  id text primary key,
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  source_id text not null,
  event_type text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_status_code integer,
  last_latency_ms integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  unique (endpoint_id, source_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, created_at desc);

-- Every attempt, kept for the delivery log (status, latency, response code, error).
create table webhook_attempts (
  delivery_id text not null references webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  at timestamptz not null default now(),
  status_code integer,
  latency_ms integer not null,
  error text,
  primary key (delivery_id, attempt, at)
);

-- Down Migration
drop table webhook_attempts;
drop table webhook_deliveries;
drop table webhook_secrets;
drop table webhook_endpoints;
