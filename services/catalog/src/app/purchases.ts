// Learning purchases from the `order.confirmed` integration event (see README for its shape). Runs in
// the inbox transaction of the consumer, so a redelivered event changes nothing.
import type { Queryable } from '@shopstack/kit';
import { z } from 'zod';
import { recordPurchases } from '../adapters/purchases-repository.js';

/** Only what the catalog needs is required; other fields are ignored so orders may add more. */
export const OrderConfirmedPayload = z.object({
  orderId: z.string().min(1).max(128),
  userId: z.string().min(1).max(128),
  lines: z.array(z.object({ productId: z.uuid(), quantity: z.number().int().positive() })).min(1),
});
export type OrderConfirmed = z.infer<typeof OrderConfirmedPayload>;

export async function recordOrderConfirmed(db: Queryable, payload: unknown): Promise<OrderConfirmed> {
  const event = OrderConfirmedPayload.parse(payload);
  await recordPurchases(
    db,
    event.userId,
    event.orderId,
    event.lines.map((line) => line.productId.toLowerCase()),
  );
  return event;
}
