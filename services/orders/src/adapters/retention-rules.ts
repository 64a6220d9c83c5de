// What orders deletes when the back office's nightly retention run asks: the kit's outbox and inbox,
// and abandoned carts (lines nobody touched for CART_RETENTION_DAYS, 90 by default). Orders and their
// event streams are kept. The ages are the service's settings (config.ts).
import { kitRetentionOf, kitRetentionRules, type RetentionRule } from '@shopstack/kit';
import type { OrdersConfig } from '../config.js';

export type OrdersRetentionSettings = Pick<
  OrdersConfig,
  'OUTBOX_RETENTION_DAYS' | 'INBOX_RETENTION_DAYS' | 'BROKER_REDELIVERY_WINDOW_DAYS' | 'CART_RETENTION_DAYS'
>;

export function ordersRetentionRules(settings: OrdersRetentionSettings): RetentionRule[] {
  return [
    ...kitRetentionRules(kitRetentionOf(settings)),
    { name: 'abandoned carts', table: 'cart_lines', column: 'added_at', days: settings.CART_RETENTION_DAYS },
  ];
}
