// Learning purchases from the `order.completed` integration event (its contract is in
// @shopstack/proto/messages). Runs in the inbox transaction of the consumer, so a redelivered event
// changes nothing.
import type { Queryable } from '@shopstack/kit';
import { orderCompleted } from '@shopstack/proto/messages';
import { z } from 'zod';
import { recordPurchases } from '../adapters/purchases-repository.js';

/** Only the part of the contract the catalog needs, so orders may change the rest freely. */
const { orderId, userId, lines } = orderCompleted.schema.shape;
export const OrderCompletedPurchases = z.object({
  orderId,
  userId,
  lines: z.array(lines.element.pick({ productId: true, quantity: true })).min(1),
});
export type OrderPurchases = z.infer<typeof OrderCompletedPurchases>;

export async function recordOrderCompleted(db: Queryable, payload: unknown): Promise<OrderPurchases> {
  const event = OrderCompletedPurchases.parse(payload);
  await recordPurchases(
    db,
    event.userId,
    event.orderId,
    event.lines.map((line) => line.productId.toLowerCase()),
  );
  return event;
}
