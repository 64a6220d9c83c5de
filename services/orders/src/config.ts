// The orders service's environment.
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

export const ordersConfigSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8083),
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50053),
    ...postgresConfig,
    ...messagingConfig,
    /** The kit's outbox and inbox (OUTBOX_, INBOX_RETENTION_DAYS, BROKER_REDELIVERY_WINDOW_DAYS). */
    ...retentionConfig,
    /** Retention (days): cart lines nobody touched for this long are an abandoned cart. */
    CART_RETENTION_DAYS: retentionDays(90),
    /** `host:port` of the catalog's and the payments' gRPC servers. */
    CATALOG_GRPC_ADDRESS: z.string().min(1),
    PAYMENTS_GRPC_ADDRESS: z.string().min(1),
    /** Queue the catalog's saga replies arrive on (routing key of the same name). */
    REPLIES_QUEUE: z.string().min(1).default('orders.saga-replies'),
    GRPC_DEADLINE_MS: millis.default(2_000),
    BREAKER_RESET_MS: millis.default(10_000),
    /** Step timeouts of the checkout saga. */
    RESERVE_STOCK_TIMEOUT_MS: millis.default(30_000),
    HOLD_FUNDS_TIMEOUT_MS: millis.default(30_000),
    COMMIT_STOCK_RESEND_MS: millis.default(30_000),
    /** How long payments keeps an uncaptured hold; capture follows within seconds normally. */
    HOLD_TTL_SECONDS: z.coerce.number().int().positive().default(3_600),
    /** Safety net only: moves, replies and cancels wake the engine (LISTEN/NOTIFY across replicas). */
    SAGA_POLL_MS: millis.default(1_000),
    /** Saga steps one process runs at once (each mostly waits on payments; no connection is held). */
    SAGA_WORKERS: z.coerce.number().int().min(1).max(256).default(32),
    /**
     * A claimed step is its worker's for this long; a dead worker's step is taken over after it. At
     * least a second longer than GRPC_DEADLINE_MS (which bounds every call, retries included), so a
     * live worker's call ends before its lease does.
     */
    SAGA_LEASE_MS: millis.default(5_000),
  })
  .superRefine(checkRetentionConfig);

export type OrdersConfig = z.infer<typeof ordersConfigSchema>;
