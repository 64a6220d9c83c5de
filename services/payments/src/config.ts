// The payments service's environment. Secrets (the webhook secret) have no default on purpose.
import { baseConfigSchema } from '@shopstack/kit';
import { z } from 'zod';
import { parseFeeSchedule } from './domain/fees.js';

const millis = z.coerce.number().int().positive();

export const paymentsConfigSchema = baseConfigSchema.extend({
  MONGO_URL: z.string().startsWith('mongodb'),
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
  SANDBOX_WEBHOOK_SECRET: z.string().min(16),
  /** Where the sandbox provider posts webhooks; defaults to this process's own HTTP listener. */
  SANDBOX_WEBHOOK_URL: z.url().optional(),
  SANDBOX_DELAY_MS: millis.default(200),
  RECOVERY_INTERVAL_MS: millis.default(5_000),
  RECOVERY_GRACE_MS: millis.default(10_000),
  PROVIDER_TIMEOUT_MS: millis.default(120_000),
  RECONCILE_INTERVAL_MS: millis.default(60_000),
});

export type PaymentsConfig = z.infer<typeof paymentsConfigSchema>;
