-- Up Migration

-- Repairs after incidents, as their owners told them (repair.recorded: stock corrections by the
-- catalog, saga retries and force-cancels by orders, ledger adjustments by payments), one row per
-- repair id, for the repairs report. Who, why and what; the before and after stay with the owner.
create table rpt_repairs (
  repair_id text primary key,
  kind text not null,
  service text not null,
  subject_id text not null,
  actor_id text not null,
  approved_by text,
  reason text not null,
  at timestamptz not null,
  received_at timestamptz not null default now()
);
create index rpt_repairs_by_time on rpt_repairs (at);

