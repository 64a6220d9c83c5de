// The back office's own parts. In the `api` role: the admin API over HTTP. In the `worker` role: the
// job runner (graphile-worker: cron and on-demand jobs). Both roles migrate the database, since the
// API enqueues jobs and the worker runs them. The kit boots it; main.ts runs it as a process.
import { fileURLToPath } from 'node:url';
import {
  bootService,
  defineService,
  kitRetentionOf,
  kitRetentionRules,
  type Logger,
  type Worker,
} from '@shopstack/kit';
import { createJobRunner, migrateJobQueue } from './adapters/job-runner.js';
import { TRACKED_TASK } from './adapters/jobs-repository.js';
import { createOwners } from './adapters/owners.js';
import { addAdminRoutes } from './api/admin/index.js';
import { ANOMALY_JOB, anomalyJob, registerAnomalyMetric } from './app/anomalies.js';
import type { BackofficeDeps } from './app/deps.js';
import { Jobs } from './app/jobs.js';
import { createJobMetrics } from './app/metrics.js';
import { applyReportingEvent, REPORTED_EVENTS } from './app/reporting-events.js';
import { reportJob } from './app/reports.js';
import { RETENTION_JOB, retentionJob } from './app/retention.js';
import { type BackofficeConfig, backofficeConfigSchema, runsApi, runsWorker } from './config.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export const backofficeService = defineService({
  name: 'backoffice',
  description: 'The admin API (jobs, reports, anomalies, repairs) and the system worker',
  configSchema: backofficeConfigSchema,
  async setup({ config, logger, metrics, postgres, onClose, grpcTransport }) {
    const pool = await postgres({ url: config.DATABASE_URL, migrationsDir });
    await migrateJobQueue(pool, logger);
    const jobs = new Jobs({
      pool,
      logger,
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      metrics: createJobMetrics(metrics),
    });
    jobs.register(
      reportJob(pool, {
        retentionDays: config.REPORT_RETENTION_DAYS,
        stepPauseMs: config.REPORT_STEP_PAUSE_MS,
      }),
    );
    jobs.register(
      retentionJob(pool, {
        batchSize: config.RETENTION_BATCH_SIZE,
        maxBatches: 100,
        exchange: config.EVENTS_EXCHANGE,
      }),
    );
    const owners = createOwners({
      addresses: {
        users: config.USERS_GRPC_ADDRESS,
        orders: config.ORDERS_GRPC_ADDRESS,
        payments: config.PAYMENTS_GRPC_ADDRESS,
        catalog: config.CATALOG_GRPC_ADDRESS,
        notifications: config.NOTIFICATIONS_GRPC_ADDRESS,
      },
      metrics,
      // Asked for only when some owner's address is configured.
      transport: grpcTransport,
      deadlineMs: config.GRPC_DEADLINE_MS,
    });
    onClose(() => owners.close());
    const rate = (name: string, threshold: number) => ({
      name,
      threshold,
      minAttempts: config.ANOMALY_MIN_ATTEMPTS,
    });
    jobs.register(
      anomalyJob(
        { pool, owners },
        {
          refundRate: rate('refund-rate', config.ANOMALY_REFUND_RATE),
          declineRate: rate('decline-rate', config.ANOMALY_DECLINE_RATE),
          signInFailures: {
            perIp: config.ANOMALY_SIGN_IN_FAILURES_PER_IP,
            windowSeconds: config.ANOMALY_SIGN_IN_WINDOW_SECONDS,
          },
          sagaOverdueSeconds: config.ANOMALY_SAGA_OVERDUE_SECONDS,
          webhookFailingSeconds: config.ANOMALY_WEBHOOK_FAILING_SECONDS,
        },
      ),
    );
    registerAnomalyMetric(metrics, { pool });
    const deps: BackofficeDeps = { pool, logger, config, jobs, owners };

    const workers: Worker[] = [];
    const runner = runsWorker(config)
      ? createJobRunner({
          pool,
          logger,
          tasks: {
            [TRACKED_TASK]: jobs.task(),
            [`schedule:${RETENTION_JOB}`]: jobs.scheduleTask(RETENTION_JOB),
            [`schedule:${ANOMALY_JOB}`]: jobs.scheduleTask(ANOMALY_JOB),
          },
          cron: [
            {
              task: `schedule:${RETENTION_JOB}`,
              identifier: RETENTION_JOB,
              match: config.RETENTION_CRON,
              options: { backfillPeriod: 86_400_000 },
            },
            { task: `schedule:${ANOMALY_JOB}`, identifier: ANOMALY_JOB, match: config.ANOMALY_CRON },
          ],
          heartbeatLeaseMs: config.WORKER_HEARTBEAT_LEASE_MS,
          concurrency: config.WORKER_CONCURRENCY,
          pollIntervalMs: config.WORKER_POLL_INTERVAL_MS,
        })
      : undefined;
    if (runner) workers.push(runner);

    return {
      routes: runsApi(config) ? [(routes) => addAdminRoutes(routes, deps)] : [],
      // The reporting store is fed by the worker role (the API only reads it).
      consumers: runsWorker(config)
        ? [
            {
              name: 'backoffice.reporting',
              queue: config.EVENTS_QUEUE,
              bindings: REPORTED_EVENTS.map((pattern) => ({ exchange: config.EVENTS_EXCHANGE, pattern })),
              pool,
              prefetch: 100,
              handle: applyReportingEvent,
            },
          ]
        : [],
      workers,
      outbox: { pool },
      // Its own kit tables, purged when the schedule asks (like every other service).
      retention: {
        pool,
        batchSize: config.RETENTION_BATCH_SIZE,
        rules: kitRetentionRules(kitRetentionOf(config)),
      },
      exposed: { deps, workerId: runner?.workerId },
    };
  },
});

export function startBackofficeService(config: BackofficeConfig, logger?: Logger) {
  return bootService(backofficeService, config, { logger });
}

export type BackofficeService = Awaited<ReturnType<typeof startBackofficeService>>;
