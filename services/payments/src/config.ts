// The payments service's environment. Secrets (the webhook secret) have no default on purpose, and
// no provider is wired unless one is chosen: a shop that moves no real money refuses top-ups.
import { baseConfigSchema, messagingConfig, outboxRetentionConfig, retentionDays } from '@shopstack/kit';
import { z } from 'zod';
import { parseFeeSchedule } from './domain/fees.js';

const millis = z.coerce.number().int().positive();
/** A daily cap in minor units of the account's currency. */
const dailyLimit = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a positive integer of minor units')
  .transform((value) => BigInt(value));

const paymentsFields = baseConfigSchema.extend({
  MONGO_URL: z.string().startsWith('mongodb'),
  /**
   * The broker the outbox relay publishes payments' events to. Without it events are still stored
   * (nothing is lost) and wait for a broker; the operator and the local platform always set it.
   */
  AMQP_URL: messagingConfig.AMQP_URL.optional(),
  EVENTS_EXCHANGE: messagingConfig.EVENTS_EXCHANGE,
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .default('payments'),
  /** ISO 4217 codes accounts may be opened in. */
  CURRENCIES: z
    .string()
    .regex(/^[A-Z]{3}(,[A-Z]{3})*$/)
    .default('EUR,USD,GBP')
    .transform((list) => list.split(',')),
  /** The fee schedule, see domain/fees.ts; empty = no fees. */
  FEES_JSON: z
    .string()
    .optional()
    .transform((json, ctx) => {
      try {
        return parseFeeSchedule(json);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  HOLD_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  /**
   * Who moves money in and out. `none` (the default) refuses top-ups and withdrawals. `sandbox`
   * accepts any `tok_*` card, i.e. lets customers create money: only local runs and sandbox shops
   * turn it on, explicitly.
   */
  PAYMENT_PROVIDER: z.enum(['none', 'sandbox']).default('none'),
  /** Per user, currency and UTC day: what top-ups (and withdrawals) may add up to. */
  TOPUP_DAILY_LIMIT_MINOR: dailyLimit.default(100_000n),
  WITHDRAWAL_DAILY_LIMIT_MINOR: dailyLimit.default(100_000n),
  /** Signs the sandbox provider's webhooks; required with PAYMENT_PROVIDER=sandbox. */
  SANDBOX_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Where the sandbox provider posts webhooks; defaults to this process's own HTTP listener. */
  SANDBOX_WEBHOOK_URL: z.url().optional(),
  SANDBOX_DELAY_MS: millis.default(200),
  RECOVERY_INTERVAL_MS: millis.default(5_000),
  RECOVERY_GRACE_MS: millis.default(10_000),
  PROVIDER_TIMEOUT_MS: millis.default(120_000),
  RECONCILE_INTERVAL_MS: millis.default(60_000),
  /**
   * Retention (days) of published outbox documents and long-expired outbox claims. Payments keeps no
   * inbox (it consumes no messages), so it has no redelivery window to outlive; keep it shorter than
   * its consumers' INBOX_RETENTION_DAYS, which drop an event re-stored after a purge (same message id).
   */
  ...outboxRetentionConfig,
  /** Daily-limit counter entries: a UTC day's stream is done after a day; kept this long to look into. */
  LIMIT_LOG_RETENTION_DAYS: retentionDays(7),
  /** Sandbox provider requests, this long after their last webhook went out. */
  SANDBOX_REQUEST_RETENTION_DAYS: retentionDays(7),
});

export const paymentsConfigSchema = paymentsFields.refine(
  (config) => config.PAYMENT_PROVIDER !== 'sandbox' || config.SANDBOX_WEBHOOK_SECRET,
  {
    path: ['SANDBOX_WEBHOOK_SECRET'],
    message: 'required (at least 16 characters) with PAYMENT_PROVIDER=sandbox',
  },
);

export type PaymentsConfig = z.infer<typeof paymentsConfigSchema>;
