// What payments deletes when the back office's nightly retention run asks. Never the money's history:
// journal entries, the refund log, operation documents (movements, holds, refunds, provider payments,
// disputes, adjustments: each one is also what makes a retry of its idempotency key find the first
// answer, for as long as a client may retry, i.e. for good), accounts and journal heads stay.
// Payments consumes no messages, so it has no inbox ids to keep for the broker's redelivery window.
import { DEFAULT_KIT_RETENTION } from '@shopstack/kit';
import type { PaymentsDb } from './mongo.js';
import type { SandboxProvider } from './providers/sandbox.js';
import type { DocumentRetentionRule } from './retention.js';

/** Daily-limit counter entries: a UTC day's stream is done after a day; kept a week to look into. */
export const LIMIT_LOG_DAYS = 7;
/** Sandbox provider requests, a week after their last webhook went out. */
export const SANDBOX_REQUEST_DAYS = 7;

export function paymentsRetentionRules(
  db: PaymentsDb,
  sandbox: SandboxProvider | undefined,
  outboxDays = DEFAULT_KIT_RETENTION.outboxDays,
): DocumentRetentionRule[] {
  return [
    // Published only: an unpublished document is an event still owed to the broker. A purged one is
    // stored again only if its operation is driven again a week after it completed (recovery finishes
    // pending ones within seconds; a provider redelivers a webhook for days, not weeks); its repeat has
    // the same message id, which consumers' inboxes (kept 30 days) drop.
    { name: 'outbox', collection: db.outbox, field: 'publishedAt', days: outboxDays },
    // A claim lives 30 s and is deleted once its message is published; what is left is a relay's that
    // died between the two writes. Long expired, it holds nothing: the next claimant starts again.
    { name: 'outbox claims', collection: db.outboxClaims, field: 'until', days: outboxDays },
    // A retry of a stored payment no longer reads the log (app/provider-payments.ts), and a decline
    // that gives an allowance back after the day is over finds nothing to return, which is right.
    { name: 'limit log', collection: db.limitLog, field: 'at', days: LIMIT_LOG_DAYS },
    ...(sandbox ? [sandbox.retentionRule(SANDBOX_REQUEST_DAYS)] : []),
  ];
}
