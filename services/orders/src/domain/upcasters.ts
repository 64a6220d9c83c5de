// Event versioning: stored events are never rewritten. When an event's shape changes, the new shape
// gets a higher schema version and an upcaster lifts the old rows to it as they are read, so the
// aggregate and the projections only ever see the current shape.
import { CURRENT_SCHEMA_VERSION, type NewOrderEvent, type OrderEventType } from './events.js';

export class UnknownEventError extends Error {}

/**
 * order.placed v1 (first release) had `customerId`, `items: [{ productId, qty, priceMinor }]` and one
 * `currency` for the order, and no total. v2 names the owner `userId`, carries the currency on each
 * line, and stores the total.
 */
export interface OrderPlacedV1 {
  orderId: string;
  customerId: string;
  items: { productId: string; qty: number; priceMinor: string }[];
  currency: string;
}

export function upcastOrderPlacedV1(v1: OrderPlacedV1) {
  const lines = v1.items.map((item) => ({
    productId: item.productId,
    quantity: item.qty,
    unitPriceMinor: item.priceMinor,
    currency: v1.currency,
  }));
  const total = lines.reduce((sum, line) => sum + BigInt(line.unitPriceMinor) * BigInt(line.quantity), 0n);
  return {
    orderId: v1.orderId,
    userId: v1.customerId,
    lines,
    totalMinor: total.toString(),
    currency: v1.currency,
  };
}

/** Lifts a stored event of any known schema version to the current shape. */
export function upcast(type: string, schemaVersion: number, data: unknown): NewOrderEvent {
  if (!(type in CURRENT_SCHEMA_VERSION)) throw new UnknownEventError(`unknown event type ${type}`);
  const current = CURRENT_SCHEMA_VERSION[type as OrderEventType];
  if (schemaVersion === current) return { type, data } as NewOrderEvent;
  if (type === 'order.placed' && schemaVersion === 1)
    return { type, data: upcastOrderPlacedV1(data as OrderPlacedV1) };
  throw new UnknownEventError(`no upcaster for ${type} v${schemaVersion}`);
}
