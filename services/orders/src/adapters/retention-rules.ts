// What orders deletes when the back office's nightly retention run asks: the kit's outbox and inbox,
// and abandoned carts (lines nobody touched for 90 days). Orders and their event streams are kept.
import { DEFAULT_KIT_RETENTION, kitRetentionRules, type RetentionRule } from '@shopstack/kit';

export const ORDERS_RETENTION: RetentionRule[] = [
  ...kitRetentionRules(DEFAULT_KIT_RETENTION),
  { name: 'abandoned carts', table: 'cart_lines', column: 'added_at', days: 90 },
];
