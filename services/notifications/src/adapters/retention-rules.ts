// What notifications deletes when the back office's nightly retention run asks: the kit's outbox and
// inbox, and the delivery log once it is history — messages sent or given up on, webhook deliveries
// delivered or failed (their attempts go with them) — after 90 days, long enough for a support case
// or the customer view to look back. Pending deliveries are never deleted. A delivery's unique key
// (event, channel, template) is what stops an event from being sent twice, but only until its inbox
// id, kept longer than any redelivery, has taken over that job: well before 90 days.
import { DEFAULT_KIT_RETENTION, kitRetentionRules, type RetentionRule } from '@shopstack/kit';

export const DELIVERY_LOG_DAYS = 90;

export const NOTIFICATIONS_RETENTION: RetentionRule[] = [
  ...kitRetentionRules(DEFAULT_KIT_RETENTION),
  {
    name: 'delivery log',
    table: 'deliveries',
    column: 'created_at',
    days: DELIVERY_LOG_DAYS,
    condition: "status <> 'pending'",
  },
  {
    name: 'webhook delivery log',
    table: 'webhook_deliveries',
    column: 'created_at',
    days: DELIVERY_LOG_DAYS,
    condition: "status <> 'pending'",
  },
];
