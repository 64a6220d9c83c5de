-- Up Migration

-- Anomalies the scheduled rules raised. One open record per rule and subject at a time: a rule that
-- still fires updates it (last_seen_at, value) instead of raising another; a person acknowledges
-- then resolves it, and a later firing after resolution raises a new one.
create table anomalies (
  id uuid primary key,
  rule text not null,
  subject text not null,
  status text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
  value double precision not null,
  threshold double precision not null,
  detail text not null,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  acknowledged_by text,
  acknowledged_at timestamptz,
  resolved_by text,
  resolved_at timestamptz
);
create unique index anomalies_one_active on anomalies (rule, subject) where status <> 'resolved';
create index anomalies_newest on anomalies (last_seen_at desc);
