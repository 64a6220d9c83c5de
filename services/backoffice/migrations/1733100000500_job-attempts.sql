-- Up Migration

-- Every attempt of a job, with the worker that ran it: who ran what, how often, and the proof (in
-- tests, and for a person after an incident) that a scheduled job ran once among several replicas.
create table job_attempts (
  job_id uuid not null references jobs (id) on delete cascade,
  attempt integer not null,
  worker_id text not null,
  started_at timestamptz not null default now(),
  primary key (job_id, attempt, worker_id)
);
