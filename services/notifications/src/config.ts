// The notifications service's environment. Secrets (the unsubscribe signing secret) have no default,
// and plain SMTP without TLS is something the local platform switches on, never the default.
import {
  baseConfigSchema,
  checkRetentionConfig,
  envBoolean,
  messagingConfig,
  postgresConfig,
  retentionConfig,
  retentionDays,
  sealingKeySchema,
} from '@shopstack/kit';
import { z } from 'zod';
import { isValidCidrList } from './domain/target-policy.js';

const millis = z.coerce.number().int().positive();
const perSecond = z.coerce.number().positive();

export const notificationsConfigSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8085),
    GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50055),
    ...postgresConfig,
    ...messagingConfig,
    /** The kit's outbox and inbox (OUTBOX_, INBOX_RETENTION_DAYS, BROKER_REDELIVERY_WINDOW_DAYS). */
    ...retentionConfig,
    /**
     * Retention (days): finished deliveries and webhook deliveries (sent, given up on, delivered,
     * failed; their attempts with them) this long after they were created; pending ones never go.
     */
    DELIVERY_LOG_RETENTION_DAYS: retentionDays(90),
    /** The durable queue of integration events this service consumes. */
    EVENTS_QUEUE: z.string().min(1).default('notifications.events'),
    /** Where recipients' addresses come from when an event names only a user. */
    USERS_GRPC_ADDRESS: z.string().min(1),
    /** The shop's public address: links in messages point here (through the edge). */
    PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
    /** smtp://host:port or smtps://user:pass@host:port */
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL'),
    /** Refuse to send over a connection that did not upgrade to TLS. Only a local platform turns it off. */
    SMTP_REQUIRE_TLS: envBoolean(true),
    MAIL_FROM: z.string().min(3).default('ShopStack <no-reply@shopstack.test>'),
    /** Right-hand side of Message-IDs: `<delivery id@MAIL_DOMAIN>`, stable across resends. */
    MAIL_DOMAIN: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/)
      .default('notifications.shopstack.test'),
    /** Signs unsubscribe links (HS256); at least 32 characters. */
    UNSUBSCRIBE_SECRET: z.string().min(32),
    /**
     * Seals the webhook endpoints' signing secrets in the database: 64 hex characters (32 bytes). Without
     * it they are stored as they are (a warning says so), like users' SIGNING_KEY_ENCRYPTION_KEY.
     */
    WEBHOOK_SECRET_ENCRYPTION_KEY: sealingKeySchema.optional(),
    /** Sends per second per provider; the backlog drains at this pace. */
    EMAIL_RATE_PER_SECOND: perSecond.default(50),
    SMS_RATE_PER_SECOND: perSecond.default(10),
    PUSH_RATE_PER_SECOND: perSecond.default(50),
    /** Sandbox SMS / push providers that only record (there is no real provider configured). */
    SANDBOX_PROVIDERS: envBoolean(false),
    DISPATCH_INTERVAL_MS: millis.default(250),
    DISPATCH_BATCH: z.coerce.number().int().positive().max(500).default(50),
    /** A claimed delivery not recorded within this time is claimed again (the sender crashed). */
    SEND_LEASE_MS: millis.default(30_000),
    RETRY_BASE_MS: millis.default(2_000),
    RETRY_MAX_MS: millis.default(3_600_000),
    /** Attempts before a delivery is dead-lettered; with the defaults this spans more than a day. */
    MAX_ATTEMPTS: z.coerce.number().int().positive().default(30),
    /**
     * Non-public addresses webhooks may still go to (comma-separated CIDRs). Empty by default: only
     * public addresses. The local platform allows loopback for receivers on this machine.
     */
    WEBHOOK_ALLOWED_CIDRS: z.string().default('').refine(isValidCidrList, 'a comma-separated list of CIDRs'),
    /** Plain http to an allowed loopback address; otherwise webhooks go over https only. */
    WEBHOOK_ALLOW_PLAIN_HTTP: envBoolean(false),
    WEBHOOK_TIMEOUT_MS: millis.default(10_000),
    /** Backoff of failed webhook attempts; with the defaults retries go on for more than 24 hours. */
    WEBHOOK_RETRY_BASE_MS: millis.default(5_000),
    WEBHOOK_RETRY_MAX_MS: millis.default(4 * 3_600_000),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().positive().default(24),
    /** An endpoint whose every delivery has failed for this long is disabled and its owner told. */
    WEBHOOK_DISABLE_AFTER_MS: millis.default(24 * 3_600_000),
    /** How long the previous secret still signs after a rotation (both signatures are sent). */
    WEBHOOK_SECRET_OVERLAP_MS: millis.default(24 * 3_600_000),
    WEBHOOK_MAX_ENDPOINTS_PER_OWNER: z.coerce.number().int().positive().default(20),
    WEBHOOK_DISPATCH_BATCH: z.coerce.number().int().positive().max(200).default(20),
    GRPC_DEADLINE_MS: millis.default(2_000),
    BREAKER_RESET_MS: millis.default(5_000),
  })
  .superRefine(checkRetentionConfig);

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
