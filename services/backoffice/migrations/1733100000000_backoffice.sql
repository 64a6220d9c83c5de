-- Up Migration

-- What people see of a job: one row per job a person (or the schedule) asked for. The queue itself
-- is graphile-worker's (schema graphile_worker); its job_key is this row's id, so a job is enqueued
-- in the same transaction as this row and a second request with the same id adds nothing.
create table jobs (
  id uuid primary key,
  kind text not null,
  params jsonb not null default '{}'::jsonb,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  -- Progress in the job's own unit (events read, rows written); percent = done / total.
  progress_done bigint not null default 0,
  progress_total bigint not null default 0,
  attempts integer not null default 0,
  cancel_requested boolean not null default false,
  last_error text,
  requested_by text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_newest on jobs (created_at desc, id desc);
create index jobs_by_kind on jobs (kind, created_at desc);

-- Processes running jobs say they are alive; the graphile worker ids of a process that stopped
-- saying so (killed, its node gone) are unlocked so their jobs run again at once, not after
-- graphile-worker's own four-hour lock timeout.
create table worker_heartbeats (
  worker_id text primary key,
  seen_at timestamptz not null default now()
);
