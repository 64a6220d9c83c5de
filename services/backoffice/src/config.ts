// The back office's environment. One package, one image, two process roles: `api` serves the admin
// API (HTTP for the console through the edge, gRPC for services), `worker` runs the job queue (cron
// and on-demand jobs, report generation, retention scheduling, anomaly rules) and feeds the reporting
// store from events. `all` runs both in one process (the local platform). They are one package because
// they share the schema, the migrations and the job contracts; they are separate roles because a long
// report must not take CPU from the admin API, and the two scale differently (see README.md).
import {
  baseConfigSchema,
  checkRetentionConfig,
  messagingConfig,
  postgresConfig,
  retentionConfig,
  retentionDays,
} from '@shopstack/kit';
import { z } from 'zod';

const millis = z.coerce.number().int().positive();

export const BACKOFFICE_ROLES = ['api', 'worker', 'all'] as const;
export type BackofficeRole = (typeof BACKOFFICE_ROLES)[number];

export const backofficeConfigSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8086),
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50056),
    ...postgresConfig,
    ...messagingConfig,
    ...retentionConfig,
    BACKOFFICE_ROLE: z.enum(BACKOFFICE_ROLES).default('all'),
    /** The durable queue of integration events the reporting store is fed from (worker role). */
    EVENTS_QUEUE: z.string().min(1).default('backoffice.reporting'),
    /** Jobs one worker process runs at once. */
    WORKER_CONCURRENCY: z.coerce.number().int().positive().max(32).default(2),
    /** How often an idle worker looks for due jobs besides LISTEN/NOTIFY (a missed notification). */
    WORKER_POLL_INTERVAL_MS: millis.default(2_000),
    /** Attempts of a failing job before it is failed for good (retries back off exponentially). */
    JOB_MAX_ATTEMPTS: z.coerce.number().int().positive().max(25).default(5),
    /** How long a generated report's files are kept before the retention job deletes them. */
    REPORT_RETENTION_DAYS: retentionDays(30),
    /** When the nightly retention run is scheduled (cron, UTC); a missed run is caught up within a day. */
    RETENTION_CRON: z.string().min(9).default('0 3 * * *'),
    RETENTION_BATCH_SIZE: z.coerce.number().int().positive().max(100_000).default(1_000),
    /** When the anomaly rules are evaluated (cron, UTC). */
    ANOMALY_CRON: z.string().min(9).default('*/5 * * * *'),
    /** Refunds above this share of captures (24 h, at least 20 captures) raise an anomaly. */
    ANOMALY_REFUND_RATE: z.coerce.number().min(0).max(1).default(0.2),
    /** Declined payments above this share of checkouts (24 h, at least 20) raise an anomaly. */
    ANOMALY_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0.3),
    ANOMALY_MIN_ATTEMPTS: z.coerce.number().int().positive().default(20),
    /** Failed sign-ins from one client address within the window (users' audit log) that raise one. */
    ANOMALY_SIGN_IN_FAILURES_PER_IP: z.coerce.number().int().positive().default(50),
    ANOMALY_SIGN_IN_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    /** A checkout saga still unfinished this long after its order was placed is overdue. */
    ANOMALY_SAGA_OVERDUE_SECONDS: z.coerce.number().int().positive().max(604_800).default(900),
    /** A webhook endpoint failing (no success) for this long raises one. */
    ANOMALY_WEBHOOK_FAILING_SECONDS: z.coerce.number().int().min(0).max(604_800).default(900),
    /** A worker process not seen for this long is taken for dead and its jobs run again. */
    WORKER_HEARTBEAT_LEASE_MS: millis.default(15_000),
    /** Pause between two days of a report, so a long report leaves the database to live work. */
    REPORT_STEP_PAUSE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    /**
     * The services whose data the admin API shows and repairs, over gRPC. A route needing one that is
     * not set answers 503 (the worker role needs none of them).
     */
    USERS_GRPC_ADDRESS: z.string().min(1).optional(),
    ORDERS_GRPC_ADDRESS: z.string().min(1).optional(),
    PAYMENTS_GRPC_ADDRESS: z.string().min(1).optional(),
    CATALOG_GRPC_ADDRESS: z.string().min(1).optional(),
    NOTIFICATIONS_GRPC_ADDRESS: z.string().min(1).optional(),
    GRPC_DEADLINE_MS: millis.default(3_000),
    /** The log store keeps the newest this many warnings and errors of all services. */
    LOG_EVENTS_MAX: z.coerce.number().int().positive().max(10_000_000).default(100_000),
  })
  .superRefine(checkRetentionConfig);

export type BackofficeConfig = z.infer<typeof backofficeConfigSchema>;

export const runsApi = (config: Pick<BackofficeConfig, 'BACKOFFICE_ROLE'>) =>
  config.BACKOFFICE_ROLE !== 'worker';
export const runsWorker = (config: Pick<BackofficeConfig, 'BACKOFFICE_ROLE'>) =>
  config.BACKOFFICE_ROLE !== 'api';
