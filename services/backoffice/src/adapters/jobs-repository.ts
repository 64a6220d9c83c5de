// The jobs table and the graphile-worker queue behind it. A job is enqueued with graphile-worker's
// own SQL function in the same transaction as its row, so there is never a row without a queued job
// or a queued job without a row; the queue's job_key is the row's id.
import { createHash } from 'node:crypto';
import type { Queryable } from '@shopstack/kit';
import type { JobStatus } from '../domain/jobs.js';

/** graphile-worker's task name for every tracked job; the row's kind says which job it is. */
export const TRACKED_TASK = 'tracked';

export interface JobRow {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  status: JobStatus;
  progress_done: string;
  progress_total: string;
  attempts: number;
  cancel_requested: boolean;
  last_error: string | null;
  requested_by: string | null;
  created_at: Date;
  started_at: Date | null;
  updated_at: Date;
  finished_at: Date | null;
}

export async function insertJob(
  db: Queryable,
  job: {
    id: string;
    kind: string;
    params: unknown;
    requestedBy: string | null;
    maxAttempts: number;
    runAt?: Date;
  },
): Promise<boolean> {
  const inserted = await db.query(
    `insert into jobs (id, kind, params, requested_by) values ($1, $2, $3, $4) on conflict (id) do nothing`,
    [job.id, job.kind, JSON.stringify(job.params), job.requestedBy],
  );
  if (inserted.rowCount !== 1) return false;
  await db.query(
    `select graphile_worker.add_job($1, json_build_object('jobId', $2::text), max_attempts => $3,
       job_key => $2::text, run_at => $4, job_key_mode => 'preserve_run_at')`,
    [TRACKED_TASK, job.id, job.maxAttempts, job.runAt ?? null],
  );
  return true;
}

export async function findJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>('select * from jobs where id = $1', [id]);
  return rows[0];
}

export async function listJobs(
  db: Queryable,
  filter: { kind?: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(
    `select * from jobs
      where ($1::text is null or kind = $1)
        and ($2::timestamptz is null or (created_at, id) < ($2, $3::uuid))
      order by created_at desc, id desc limit $4`,
    [filter.kind ?? null, filter.before?.createdAt ?? null, filter.before?.id ?? null, filter.limit],
  );
  return rows;
}

/** An attempt starts: running, attempts counted, unless the job was cancelled meanwhile. */
export async function markRunning(
  db: Queryable,
  id: string,
  attempt: number,
  workerId: string,
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `update jobs set status = 'running', attempts = $2, started_at = coalesce(started_at, now()),
            updated_at = now(), progress_done = 0
      where id = $1 and status in ('queued', 'running') returning *`,
    [id, attempt],
  );
  if (rows[0])
    await db.query(
      'insert into job_attempts (job_id, attempt, worker_id) values ($1, $2, $3) on conflict do nothing',
      [id, attempt, workerId],
    );
  return rows[0];
}

/** A stable job id for one tick of a schedule, so the same tick never makes two jobs. */
export function scheduledJobId(kind: string, tick: Date | string): string {
  const hex = createHash('sha256')
    .update(`schedule\0${kind}\0${new Date(tick).toISOString()}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function saveProgress(
  db: Queryable,
  id: string,
  done: number,
  total: number,
): Promise<{ cancelRequested: boolean }> {
  const { rows } = await db.query<{ cancel_requested: boolean }>(
    `update jobs set progress_done = $2, progress_total = $3, updated_at = now()
      where id = $1 returning cancel_requested`,
    [id, done, total],
  );
  return { cancelRequested: rows[0]?.cancel_requested ?? true };
}

export async function finishJob(
  db: Queryable,
  id: string,
  outcome: { status: 'succeeded' | 'failed' | 'cancelled' | 'queued'; error?: string },
): Promise<void> {
  await db.query(
    `update jobs set status = $2, last_error = coalesce($3, last_error), updated_at = now(),
            finished_at = case when $2 = 'queued' then null else now() end,
            progress_done = case when $2 = 'succeeded' then greatest(progress_total, progress_done) else progress_done end
      where id = $1`,
    [id, outcome.status, outcome.error ?? null],
  );
}

/**
 * Cancels a job: a queued one is taken off the queue at once; a running one is asked to stop (it
 * checks at its next progress step). Returns the row after the change.
 */
export async function requestCancel(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `update jobs set cancel_requested = true, updated_at = now(),
            status = case when status = 'queued' then 'cancelled' else status end,
            finished_at = case when status = 'queued' then now() else finished_at end
      where id = $1 returning *`,
    [id],
  );
  const row = rows[0];
  // remove_job leaves a job that a worker holds locked alone; that one stops by itself.
  if (row?.status === 'cancelled') await db.query('select graphile_worker.remove_job($1)', [id]);
  return row;
}
