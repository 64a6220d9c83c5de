// What payments deletes when the back office's nightly retention run asks. Never the money's history:
// journal entries, the refund log, operation documents (movements, holds, refunds, provider payments,
// disputes, adjustments: each one is also what makes a retry of its idempotency key find the first
// answer, for as long as a client may retry, i.e. for good), accounts and journal heads stay.
// Payments consumes no messages, so it has no inbox ids to keep for the broker's redelivery window.
// The ages are the service's settings (config.ts: OUTBOX_RETENTION_DAYS, LIMIT_LOG_RETENTION_DAYS,
// SANDBOX_REQUEST_RETENTION_DAYS, 7 days each by default).
import type { PaymentsConfig } from '../config.js';
import type { PaymentsDb } from './mongo.js';
import type { SandboxProvider } from './providers/sandbox.js';
import type { DocumentRetentionRule } from './retention.js';

export type PaymentsRetentionSettings = Pick<
  PaymentsConfig,
  'OUTBOX_RETENTION_DAYS' | 'LIMIT_LOG_RETENTION_DAYS' | 'SANDBOX_REQUEST_RETENTION_DAYS'
>;

export function paymentsRetentionRules(
  db: PaymentsDb,
  sandbox: SandboxProvider | undefined,
  settings: PaymentsRetentionSettings,
): DocumentRetentionRule[] {
  const outboxDays = settings.OUTBOX_RETENTION_DAYS;
  return [
    // Published only: an unpublished document is an event still owed to the broker. A purged one is
    // stored again only if its operation is driven again a week after it completed (recovery finishes
    // pending ones within seconds; a provider redelivers a webhook for days, not weeks); its repeat has
    // the same message id, which consumers' inboxes (kept longer, 30 days by default) drop.
    { name: 'outbox', collection: db.outbox, field: 'publishedAt', days: outboxDays },
    // A claim lives 30 s and stays after its message is published (a first generation that exists
    // proves the message was claimed). Long expired, it holds nothing: its message is long published.
    { name: 'outbox claims', collection: db.outboxClaims, field: 'until', days: outboxDays },
    // A retry of a stored payment no longer reads the log (app/provider-payments.ts), and a decline
    // that gives an allowance back after the day is over finds nothing to return, which is right.
    { name: 'limit log', collection: db.limitLog, field: 'at', days: settings.LIMIT_LOG_RETENTION_DAYS },
    ...(sandbox ? [sandbox.retentionRule(settings.SANDBOX_REQUEST_RETENTION_DAYS)] : []),
  ];
}
