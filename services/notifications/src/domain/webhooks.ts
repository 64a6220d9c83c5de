// Webhooks for third parties: which events an endpoint may subscribe to, what a delivery's body is,
// and what an attempt's answer means. Pure; the Standard Webhooks signing itself is the library's.
import { randomBytes, randomUUID } from 'node:crypto';
import { CONSUMED_EVENTS } from './events.js';

/** Events whose payloads hold one-time tokens that must reach only the user's mailbox. */
const MAILBOX_ONLY = ['user.email_verification_requested', 'user.password_reset_requested'] as const;
type MailboxOnly = (typeof MAILBOX_ONLY)[number];

/**
 * Events a webhook may carry: every consumed event but the mailbox-only ones, and `webhook.test`,
 * what a test send delivers.
 */
export type WebhookEventType = Exclude<(typeof CONSUMED_EVENTS)[number], MailboxOnly> | 'webhook.test';
export const WEBHOOK_EVENT_TYPES: readonly [WebhookEventType, ...WebhookEventType[]] = [
  'webhook.test',
  ...CONSUMED_EVENTS.filter(
    (type): type is Exclude<typeof type, MailboxOnly> => !(MAILBOX_ONLY as readonly string[]).includes(type),
  ),
];

export const isWebhookEventType = (type: string): type is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);

/** 'own': events about the owner; 'shop': every user's (admins only). */
export const WEBHOOK_SCOPES = ['own', 'shop'] as const;
export type WebhookScope = (typeof WEBHOOK_SCOPES)[number];

/** A new signing secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/** The `webhook-id`: unique per message, kept across attempts and replays. */
export const newMessageId = (): string => `msg_${randomUUID().replaceAll('-', '')}`;

/** The body receivers get, in the shape the Standard Webhooks spec recommends. */
export function webhookBody(type: string, occurredAt: Date, data: unknown): string {
  const { schemaVersion: _version, ...rest } = (data ?? {}) as Record<string, unknown>;
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data: rest });
}

export type AttemptOutcome = 'delivered' | 'gone' | 'retry';

/**
 * 2xx delivered it; 410 Gone means the receiver asks us to stop (the endpoint is disabled at once);
 * anything else, redirects included (they are never followed), is tried again later.
 */
export function outcomeOf(statusCode: number | undefined): AttemptOutcome {
  if (statusCode === undefined) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 410) return 'gone';
  return 'retry';
}

/** Whether an endpoint failing since `failingSince` has failed long enough to be disabled. */
export function failedTooLong(failingSince: Date, now: Date, disableAfterMs: number): boolean {
  return now.getTime() - failingSince.getTime() >= disableAfterMs;
}
