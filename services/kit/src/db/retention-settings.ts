// How long the kit's tables keep rows, as each service's environment says, and the one rule that ties
// two of those ages together. Pure (zod only): a service's config.ts spreads these fields into its
// schema and adds the check, so a bad combination stops the process at start with the variable's
// name, before any purge could forget an inbox id too soon.
import { z } from 'zod';

/** A retention age: whole days, at least one. `fallback` is the default when the variable is unset. */
export const retentionDays = (fallback: number) =>
  z.coerce.number().int('must be a whole number of days').min(1, 'must be at least 1 day').default(fallback);

export interface KitRetention {
  /** Published outbox rows older than this go (unpublished ones never do). */
  outboxDays: number;
  /** Handled inbox ids older than this go; must exceed how long the broker can redeliver a message. */
  inboxDays: number;
  /** The longest a message can come back: its queue's and dead-letter queue's lifetime, replays included. */
  redeliveryWindowDays: number;
}

/** The defaults, when a service's environment does not say. */
export const DEFAULT_KIT_RETENTION: KitRetention = { outboxDays: 7, inboxDays: 30, redeliveryWindowDays: 14 };

/** The outbox's age alone, for a service that consumes no messages (payments keeps no inbox). */
export const outboxRetentionConfig = {
  OUTBOX_RETENTION_DAYS: retentionDays(DEFAULT_KIT_RETENTION.outboxDays),
};

/**
 * The kit's tables' ages: `baseConfigSchema.extend({ ...retentionConfig }).superRefine(checkRetentionConfig)`.
 * INBOX_RETENTION_DAYS must be longer than BROKER_REDELIVERY_WINDOW_DAYS.
 */
export const retentionConfig = {
  ...outboxRetentionConfig,
  INBOX_RETENTION_DAYS: retentionDays(DEFAULT_KIT_RETENTION.inboxDays),
  /** The longest a message can come back (queue and dead-letter queue lifetime, replays included). */
  BROKER_REDELIVERY_WINDOW_DAYS: retentionDays(DEFAULT_KIT_RETENTION.redeliveryWindowDays),
};

interface RetentionVariables {
  OUTBOX_RETENTION_DAYS: number;
  INBOX_RETENTION_DAYS: number;
  BROKER_REDELIVERY_WINDOW_DAYS: number;
}

/**
 * An inbox id is what stops a redelivered message from being applied twice, so it must outlive every
 * way the message can come back. Undefined when the ages are sound, else why not.
 */
export function inboxRetentionProblem(settings: KitRetention): string | undefined {
  if (settings.inboxDays > settings.redeliveryWindowDays) return undefined;
  return `inbox retention (${settings.inboxDays} days) must be longer than the broker's redelivery window (${settings.redeliveryWindowDays} days)`;
}

/** The kit's retention settings of a parsed config. */
export function kitRetentionOf(config: RetentionVariables): KitRetention {
  return {
    outboxDays: config.OUTBOX_RETENTION_DAYS,
    inboxDays: config.INBOX_RETENTION_DAYS,
    redeliveryWindowDays: config.BROKER_REDELIVERY_WINDOW_DAYS,
  };
}

/** The config-time check of a schema with `retentionConfig` (pass it to `.superRefine`). */
export function checkRetentionConfig(config: RetentionVariables, ctx: z.RefinementCtx): void {
  const problem = inboxRetentionProblem(kitRetentionOf(config));
  if (problem)
    ctx.addIssue({
      code: 'custom',
      path: ['INBOX_RETENTION_DAYS'],
      message: `${problem}: set INBOX_RETENTION_DAYS above BROKER_REDELIVERY_WINDOW_DAYS`,
    });
}
