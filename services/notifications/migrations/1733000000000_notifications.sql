-- Up Migration

-- One row per message to one recipient on one channel. It is the durable queue: the dispatcher claims
-- due rows with a lease (next_attempt_at moves forward), sends, and records the outcome. A sender that
-- dies after sending and before recording leaves the lease to expire, and the resend carries the same
-- Message-ID (derived from id), so the duplicate is recognisable.
create table deliveries (
  id uuid primary key,
  -- The event's message id (or a caller's idempotency key): one delivery per source, channel, template.
  source_id text not null,
  user_id text,
  channel text not null check (channel in ('email', 'sms', 'push')),
  category text not null,
  template text not null,
  locale text not null,
  variables jsonb not null,
  -- Address on the channel; null means "look the user's address up when sending".
  recipient text,
  status text not null default 'pending' check (status in ('pending', 'sent', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  provider_message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (source_id, channel, template)
);
create index deliveries_due on deliveries (next_attempt_at) where status = 'pending';
create index deliveries_by_user on deliveries (user_id, created_at desc);

-- Opt-ins per user, category and channel. Absent = the category's default (transactional email is
-- always on and not stored here).
create table preferences (
  user_id text not null,
  category text not null,
  channel text not null check (channel in ('email', 'sms', 'push')),
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, category, channel)
);

create table recipient_settings (
  user_id text primary key,
  locale text not null,
  updated_at timestamptz not null default now()
);

-- Down Migration
drop table recipient_settings;
drop table preferences;
drop table deliveries;
