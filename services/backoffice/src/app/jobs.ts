// Jobs people can watch: requested (by a person or the schedule), run by any worker replica, their
// progress saved as they go, cancellable, retried with back-off when an attempt fails. Each kind of
// job is a JobDefinition; `trackedTask` is the one graphile-worker task that runs them all.
import { randomUUID } from 'node:crypto';
import { AppError, type Logger, type Pool, withTransaction } from '@shopstack/kit';
import type { Task } from 'graphile-worker';
import {
  findJob,
  finishJob,
  insertJob,
  type JobRow,
  listJobs,
  markRunning,
  requestCancel,
  saveProgress,
  scheduledJobId,
} from '../adapters/jobs-repository.js';
import { isFinished, JobCancelled } from '../domain/jobs.js';
import { type ProgressView, progressOf } from '../domain/progress.js';
import type { JobMetrics } from './metrics.js';

/** What a running job can do besides its work. */
export interface JobContext {
  readonly jobId: string;
  readonly attempt: number;
  /** When the job was requested: a report counts what had arrived by then. */
  readonly requestedAt: Date;
  readonly logger: Logger;
  /** Saves progress (throttled) and throws JobCancelled once a person cancelled the job. */
  progress(done: number, total: number): Promise<void>;
}

export interface JobDefinition<Params = unknown> {
  kind: string;
  /** Checks the params of a request; throws AppError (problem+json) on bad input. */
  parse(params: unknown): Params;
  run(ctx: JobContext, params: Params): Promise<void>;
}

export interface JobsDeps {
  pool: Pool;
  logger: Logger;
  maxAttempts: number;
  metrics: JobMetrics;
  /** Least time between two progress writes of one job. */
  progressWriteMs?: number;
}

export interface JobView {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  status: JobRow['status'];
  progress: ProgressView;
  attempts: number;
  cancelRequested: boolean;
  lastError: string | null;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function jobView(row: JobRow, now = new Date()): JobView {
  return {
    id: row.id,
    kind: row.kind,
    params: row.params,
    status: row.status,
    progress: progressOf({
      done: Number(row.progress_done),
      total: Number(row.progress_total),
      startedAt: row.status === 'running' ? row.started_at : null,
      finished: row.status === 'succeeded',
      now,
    }),
    attempts: row.attempts,
    cancelRequested: row.cancel_requested,
    lastError: row.last_error,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

export class Jobs {
  private readonly definitions = new Map<string, JobDefinition<never>>();

  constructor(private readonly deps: JobsDeps) {}

  register<P>(definition: JobDefinition<P>): this {
    this.definitions.set(definition.kind, definition as unknown as JobDefinition<never>);
    return this;
  }

  kinds(): string[] {
    return [...this.definitions.keys()];
  }

  definition(kind: string): JobDefinition<unknown> {
    const found = this.definitions.get(kind);
    if (!found)
      throw new AppError('invalid', 'unknown-job-kind', `no job of kind ${kind}`, {
        fields: [{ field: 'kind', message: `one of ${this.kinds().join(', ')}` }],
      });
    return found as JobDefinition<unknown>;
  }

  /** Enqueues a job; with the same id twice (a client's idempotency key) it is enqueued once. */
  async request(input: {
    kind: string;
    params: unknown;
    requestedBy: string | null;
    id?: string;
  }): Promise<JobView> {
    const params = this.definition(input.kind).parse(input.params);
    const id = input.id ?? randomUUID();
    await withTransaction(this.deps.pool, (client) =>
      insertJob(client, {
        id,
        kind: input.kind,
        params,
        requestedBy: input.requestedBy,
        maxAttempts: this.deps.maxAttempts,
      }),
    );
    const row = await findJob(this.deps.pool, id);
    if (!row) throw new Error(`job ${id} vanished`);
    if (row.kind !== input.kind)
      throw new AppError(
        'conflict',
        'idempotency-key-reused',
        'this idempotency key was used for another job',
      );
    return jobView(row);
  }

  async get(id: string): Promise<JobView> {
    const row = await findJob(this.deps.pool, id);
    if (!row) throw new AppError('not_found', 'job-not-found', `no job ${id}`);
    return jobView(row);
  }

  /** Newest first; `before` continues a page (the last job's position). */
  async list(query: {
    kind?: string;
    limit: number;
    before?: { createdAt: Date; id: string };
  }): Promise<JobView[]> {
    return (await listJobs(this.deps.pool, query)).map((row) => jobView(row));
  }

  async cancel(id: string): Promise<JobView> {
    const row = await withTransaction(this.deps.pool, (client) => requestCancel(client, id));
    if (!row) throw new AppError('not_found', 'job-not-found', `no job ${id}`);
    return jobView(row);
  }

  /**
   * The graphile-worker task a cron item runs: it requests a tracked job whose id is derived from the
   * tick, so however many workers schedule the same tick, one job exists and it runs once.
   */
  scheduleTask(kind: string): Task {
    return async (payload) => {
      const tick = (payload as { _cron?: { ts: string } })._cron?.ts ?? new Date().toISOString();
      await this.request({ kind, params: {}, requestedBy: 'schedule', id: scheduledJobId(kind, tick) });
    };
  }

  /** The graphile-worker task behind every tracked job. */
  task(): Task {
    return async (payload, helpers) => {
      const { jobId } = payload as { jobId: string };
      const row = await markRunning(
        this.deps.pool,
        jobId,
        helpers.job.attempts,
        helpers.job.locked_by ?? 'unknown',
      );
      if (!row) return; // cancelled before it started, or already finished
      const definition = this.definitions.get(row.kind);
      if (!definition) throw new Error(`no job definition for ${row.kind}`);
      const logger = this.deps.logger.child({ jobId, kind: row.kind, attempt: helpers.job.attempts });
      const gauge = this.deps.metrics.running(jobId, row.kind);
      let lastWrite = 0;
      const ctx: JobContext = {
        jobId,
        attempt: helpers.job.attempts,
        requestedAt: row.created_at,
        logger,
        progress: async (done, total) => {
          gauge.set(progressOf({ done, total, startedAt: row.started_at, finished: false, now: new Date() }));
          if (helpers.abortSignal.aborted) throw new Error('the worker is shutting down');
          const now = Date.now();
          if (now - lastWrite < (this.deps.progressWriteMs ?? 250) && done < total) return;
          lastWrite = now;
          const { cancelRequested } = await saveProgress(this.deps.pool, jobId, done, total);
          if (cancelRequested) throw new JobCancelled(jobId);
        },
      };
      const started = Date.now();
      try {
        await definition.run(ctx, row.params as never);
        await finishJob(this.deps.pool, jobId, { status: 'succeeded' });
        this.deps.metrics.finished(row.kind, 'succeeded', Date.now() - started);
      } catch (error) {
        if (error instanceof JobCancelled) {
          await finishJob(this.deps.pool, jobId, { status: 'cancelled' });
          this.deps.metrics.finished(row.kind, 'cancelled', Date.now() - started);
          return; // done: graphile-worker must not retry it
        }
        const last = helpers.job.attempts >= helpers.job.max_attempts;
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ err: error, last }, 'job attempt failed');
        await finishJob(this.deps.pool, jobId, { status: last ? 'failed' : 'queued', error: message });
        if (last) this.deps.metrics.finished(row.kind, 'failed', Date.now() - started);
        throw error;
      } finally {
        gauge.remove();
      }
    };
  }
}

export { isFinished };
