// graphile-worker as the kit's Worker: it claims due jobs with SELECT … FOR UPDATE SKIP LOCKED (so
// among any number of replicas each job runs once), wakes on LISTEN/NOTIFY, retries a failed job with
// exponential back-off, and schedules cron items once per tick across replicas (its known_crontabs
// table and a job key per tick). What it lacks we add here: a heartbeat per process, and a sweeper that
// unlocks the jobs of a process that stopped beating (killed), instead of its own four-hour timeout.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger, Pool, Worker } from '@shopstack/kit';
import {
  type CronItem,
  Logger as GraphileLogger,
  runMigrations as migrateQueue,
  parseCronItems,
  type Runner,
  run,
  type Task,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';

export interface JobRunnerOptions {
  pool: Pool;
  logger: Logger;
  tasks: TaskList;
  cron: CronItem[];
  concurrency: number;
  pollIntervalMs: number;
  /** A process not seen for this long is taken for dead and its jobs run again. */
  heartbeatLeaseMs?: number;
}

/** The queue's own schema (graphile_worker); both roles need it, since the API enqueues. */
export async function migrateJobQueue(pool: Pool, logger: Logger): Promise<void> {
  // A client that loses its connection while checked out must not crash the process (pg emits
  // 'error' on it; the kit's pool handles only idle clients').
  if (pool.listeners('connect').length === 0)
    pool.on('connect', (client) =>
      client.on('error', (error) => logger.warn({ err: error }, 'database client error')),
    );
  await migrateQueue({ pgPool: pool, logger: silentGraphileLogger });
}

export function createJobRunner(options: JobRunnerOptions): Worker & { workerId: string } {
  const { pool, logger } = options;
  const lease = options.heartbeatLeaseMs ?? 15_000;
  // The process's name in logs and tests; the heartbeat names the graphile worker ids it created
  // (each lock carries one of them).
  const workerId = `backoffice-${randomUUID()}`;
  const graphileIds = new Set<string>();
  const events: WorkerEvents = new EventEmitter();
  events.on('worker:create', ({ worker }) => graphileIds.add(worker.workerId));
  let runner: Runner | undefined;
  let timer: NodeJS.Timeout | undefined;

  const beat = async () => {
    await pool.query(
      `insert into worker_heartbeats (worker_id, seen_at) select unnest($1::text[]), now()
       on conflict (worker_id) do update set seen_at = now()`,
      [[...graphileIds]],
    );
    // Dead: locked jobs whose worker has no fresh heartbeat (and was locked before the lease, so a
    // worker that just started is not taken for dead before its first beat).
    const { rows } = await pool.query<{ locked_by: string }>(
      `select distinct j.locked_by from graphile_worker._private_jobs j
        left join worker_heartbeats h on h.worker_id = j.locked_by
        where j.locked_by is not null and j.locked_at < now() - make_interval(secs => $1)
          and (h.seen_at is null or h.seen_at < now() - make_interval(secs => $1))`,
      [lease / 1000],
    );
    if (rows.length > 0) {
      const dead = rows.map((r) => r.locked_by);
      logger.warn({ workers: dead }, 'unlocking the jobs of workers that stopped beating');
      await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
      await pool.query('delete from worker_heartbeats where worker_id = any($1::text[])', [dead]);
    }
  };
  const loop = () => {
    timer = setTimeout(
      () =>
        void beat()
          .catch((error) => logger.warn({ err: error }, 'job heartbeat failed'))
          .finally(() => runner && loop()),
      lease / 3,
    );
  };

  return {
    name: 'job-runner',
    workerId,
    async start() {
      runner = await run({
        pgPool: pool,
        taskList: options.tasks,
        parsedCronItems: parseCronItems(options.cron),
        concurrency: options.concurrency,
        pollInterval: options.pollIntervalMs,
        noHandleSignals: true,
        events,
        logger: graphileLogger(logger),
      });
      await beat();
      loop();
    },
    async stop() {
      const stopping = runner;
      runner = undefined;
      if (timer) clearTimeout(timer);
      await stopping?.stop();
      await pool
        .query('delete from worker_heartbeats where worker_id = any($1::text[])', [[...graphileIds]])
        .catch(() => {});
    },
  };
}

export type { CronItem, Task, TaskList };

const silentGraphileLogger = new GraphileLogger(() => () => {});

/** graphile-worker's log lines into the service's pino logger, at their own level. */
function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta };
    if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else logger.debug(fields, message);
  });
}
