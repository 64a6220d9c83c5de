// Learning purchases from the `order.completed` integration event (its contract is in
// @shopstack/proto/messages). The insert ignores purchases already recorded (by the stock commit
// that named the buyer, or by an earlier delivery), so a repeat changes nothing.
import type { Queryable } from '@shopstack/kit';
import { orderCompleted } from '@shopstack/proto/messages';
import { z } from 'zod';
import { recordPurchases } from '../adapters/purchases-repository.js';
import type { Reservation } from '../domain/stock.js';

/** Only the part of the contract the catalog needs, so orders may change the rest freely. */
const { orderId, userId, lines } = orderCompleted.schema.shape;
export const OrderCompletedPurchases = z.object({
  orderId,
  userId,
  lines: z.array(lines.element.pick({ productId: true, quantity: true })).min(1),
});
export type OrderPurchases = z.infer<typeof OrderCompletedPurchases>;

/** `recorded`: how many of its purchases were not known before. */
export async function recordOrderCompleted(
  db: Queryable,
  payload: unknown,
): Promise<{ event: OrderPurchases; recorded: number }> {
  const event = OrderCompletedPurchases.parse(payload);
  const recorded = await recordPurchases(
    db,
    event.userId,
    event.orderId,
    event.lines.map((line) => line.productId.toLowerCase()),
  );
  return { event, recorded };
}

/**
 * A committed reservation whose command named the buyer is a purchase: recorded in the commit's
 * own transaction, so the `order.completed` that follows finds it known and writes nothing.
 */
export function recordCommittedPurchase(
  db: Queryable,
  reservation: Reservation,
  buyer: string,
): Promise<number> {
  if (reservation.status !== 'committed') return Promise.resolve(0);
  return recordPurchases(
    db,
    buyer,
    reservation.orderId,
    reservation.lines.map((line) => line.productId),
  );
}
