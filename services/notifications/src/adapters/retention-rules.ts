// What notifications deletes when the back office's nightly retention run asks: the kit's outbox and
// inbox, and the delivery log once it is history — messages sent or given up on, webhook deliveries
// delivered or failed (their attempts go with them) — after DELIVERY_LOG_RETENTION_DAYS (90 by
// default), long enough for a support case or the customer view to look back. Pending deliveries are
// never deleted. A delivery's unique key (event, channel, template) is what stops an event from being
// sent twice, but only until its inbox id, kept longer than any redelivery, has taken over that job.
// The ages are the service's settings (config.ts).
import { kitRetentionOf, kitRetentionRules, type RetentionRule } from '@shopstack/kit';
import type { NotificationsConfig } from '../config.js';

export type NotificationsRetentionSettings = Pick<
  NotificationsConfig,
  | 'OUTBOX_RETENTION_DAYS'
  | 'INBOX_RETENTION_DAYS'
  | 'BROKER_REDELIVERY_WINDOW_DAYS'
  | 'DELIVERY_LOG_RETENTION_DAYS'
>;

export function notificationsRetentionRules(settings: NotificationsRetentionSettings): RetentionRule[] {
  return [
    ...kitRetentionRules(kitRetentionOf(settings)),
    {
      name: 'delivery log',
      table: 'deliveries',
      column: 'created_at',
      days: settings.DELIVERY_LOG_RETENTION_DAYS,
      condition: "status <> 'pending'",
    },
    {
      name: 'webhook delivery log',
      table: 'webhook_deliveries',
      column: 'created_at',
      days: settings.DELIVERY_LOG_RETENTION_DAYS,
      condition: "status <> 'pending'",
    },
  ];
}
