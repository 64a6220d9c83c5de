// Loads an Order by replaying its stream and saves decisions as events, keeping the read model in step.
import type { Queryable } from '@shopstack/kit';
import type { NewOrderEvent } from '../domain/events.js';
import { evolve, fold, type Order } from '../domain/order.js';
import { appendEvents, readStream } from './event-store.js';
import { projectOrder } from './order-views.js';

export async function loadOrder(db: Queryable, orderId: string, asOf?: Date): Promise<Order | undefined> {
  return fold(await readStream(db, orderId, asOf));
}

/**
 * Appends `events` to the order's stream, expecting it to be at `order.version` (or new when `order`
 * is undefined), projects the result and returns the new state. Call inside a transaction.
 */
export async function saveOrder(
  db: Queryable,
  streamId: string,
  order: Order | undefined,
  events: readonly NewOrderEvent[],
): Promise<Order> {
  if (events.length === 0) {
    if (!order) throw new Error('a new order needs at least one event');
    return order;
  }
  const recorded = await appendEvents(db, streamId, order?.version ?? 0, events);
  const next = recorded.reduce<Order | undefined>((state, event) => evolve(state, event), order)!;
  await projectOrder(db, next);
  return next;
}
