// Rebuilds the read model (order_views) from the event store, in one transaction: readers see the
// old views until the new ones commit. Run after a projection change or to repair it.
import { type Pool, withTransaction } from '@shopstack/kit';
import { rebuildOrderViews } from '../adapters/order-views.js';

export function rebuildReadModel(pool: Pool): Promise<number> {
  return withTransaction(pool, (client) => rebuildOrderViews(client));
}
