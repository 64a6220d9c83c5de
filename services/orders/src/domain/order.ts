// The Order aggregate: its state is a fold over its events, and every decision checks the state and
// returns the events to append (or refuses). No I/O here.
import type {
  CancelReason,
  NewOrderEvent,
  OrderLine,
  PaymentFailureReason,
  RecordedOrderEvent,
} from './events.js';

export type { CancelReason, PaymentFailureReason } from './events.js';

export type OrderStatus = 'pending' | 'confirmed' | 'cancelled' | 'refunded' | 'payment_failed';

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  lines: OrderLine[];
  totalMinor: bigint;
  currency: string;
  placedAt: Date;
  updatedAt: Date;
  /** Saga progress, as facts recorded on the order. */
  stockReserved: boolean;
  holdId: string | undefined;
  confirmedAt: Date | undefined;
  paymentCaptured: boolean;
  stockCommitted: boolean;
  cancelReason: CancelReason | undefined;
  paymentFailure: PaymentFailureReason | undefined;
  refundedMinor: bigint;
  /** The stream version this state reflects (the number of events folded). */
  version: number;
}

/** A decision the current state does not allow; the API reports it as 409. */
export class OrderRuleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_LINES = 100;
export const MAX_QUANTITY = 1000;

export function placeOrder(input: { orderId: string; userId: string; lines: OrderLine[] }): NewOrderEvent {
  if (input.lines.length === 0) throw new OrderRuleError('cart-empty', 'The cart is empty');
  if (input.lines.length > MAX_LINES)
    throw new OrderRuleError('too-many-lines', `At most ${MAX_LINES} lines`);
  const currency = input.lines[0]!.currency;
  if (input.lines.some((line) => line.currency !== currency))
    throw new OrderRuleError('mixed-currencies', 'All lines of an order must be in one currency');
  let total = 0n;
  for (const line of input.lines) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)
      throw new OrderRuleError(
        'invalid-quantity',
        `Quantity of ${line.productId} must be 1..${MAX_QUANTITY}`,
      );
    const price = BigInt(line.unitPriceMinor);
    if (price < 0n) throw new OrderRuleError('invalid-price', `Price of ${line.productId} is negative`);
    total += price * BigInt(line.quantity);
  }
  // Payments holds at least one minor unit; free orders are not sold through checkout.
  if (total === 0n) throw new OrderRuleError('order-total-zero', 'An order must cost something');
  return {
    type: 'order.placed',
    data: {
      orderId: input.orderId,
      userId: input.userId,
      lines: input.lines,
      totalMinor: total.toString(),
      currency,
    },
  };
}

/** Folds one event into the state; `undefined` state means the stream has not started. */
export function evolve(state: Order | undefined, event: RecordedOrderEvent): Order {
  if (event.type === 'order.placed') {
    const data = event.data;
    return {
      id: data.orderId,
      userId: data.userId,
      status: 'pending',
      lines: data.lines,
      totalMinor: BigInt(data.totalMinor),
      currency: data.currency,
      // The time the store recorded the placement: temporal queries use the same clock.
      placedAt: event.recordedAt,
      updatedAt: event.recordedAt,
      stockReserved: false,
      holdId: undefined,
      confirmedAt: undefined,
      paymentCaptured: false,
      stockCommitted: false,
      cancelReason: undefined,
      paymentFailure: undefined,
      refundedMinor: 0n,
      version: event.version,
    };
  }
  if (!state) throw new Error(`stream starts with ${event.type}, not order.placed`);
  const next: Order = { ...state, version: event.version, updatedAt: event.recordedAt };
  switch (event.type) {
    case 'order.stock-reserved':
      return { ...next, stockReserved: true };
    case 'order.payment-held':
      return { ...next, holdId: event.data.holdId };
    case 'order.confirmed':
      return { ...next, status: 'confirmed', confirmedAt: new Date(event.data.confirmedAt) };
    case 'order.payment-captured':
      return { ...next, paymentCaptured: true };
    case 'order.stock-committed':
      return { ...next, stockCommitted: true };
    case 'order.cancelled':
      return { ...next, status: 'cancelled', cancelReason: event.data.reason };
    case 'order.refunded': {
      const refundedMinor = state.refundedMinor + BigInt(event.data.amountMinor);
      return { ...next, status: 'refunded', refundedMinor };
    }
    case 'order.payment-failed':
      return { ...next, status: 'payment_failed', paymentFailure: event.data.reason };
  }
}

export function fold(events: readonly RecordedOrderEvent[]): Order | undefined {
  return events.reduce<Order | undefined>((state, event) => evolve(state, event), undefined);
}

function requirePending(order: Order, action: string): void {
  if (order.status !== 'pending')
    throw new OrderRuleError('order-not-pending', `Cannot ${action}: the order is ${order.status}`);
}

export function recordStockReserved(order: Order): NewOrderEvent[] {
  requirePending(order, 'reserve stock');
  return order.stockReserved ? [] : [{ type: 'order.stock-reserved', data: {} }];
}

/** Funds are held: the order is confirmed in the same breath (nothing else is awaited). */
export function recordPaymentHeld(order: Order, holdId: string, now: Date): NewOrderEvent[] {
  requirePending(order, 'hold payment');
  if (!order.stockReserved) throw new OrderRuleError('stock-not-reserved', 'Stock is not reserved yet');
  return [
    { type: 'order.payment-held', data: { holdId } },
    { type: 'order.confirmed', data: { confirmedAt: now.toISOString() } },
  ];
}

/** A confirmed order's hold was gone at capture and a fresh one was authorized in its place. */
export function recordHoldRenewed(order: Order, holdId: string): NewOrderEvent[] {
  if (order.status !== 'confirmed' || order.paymentCaptured)
    throw new OrderRuleError('order-not-confirmed', 'Only a confirmed, unpaid order renews its hold');
  return order.holdId === holdId ? [] : [{ type: 'order.payment-held', data: { holdId } }];
}

/** A confirmed order that cannot be paid: it ends `payment_failed`, for a person to follow up. */
export function recordPaymentFailed(
  order: Order,
  reason: PaymentFailureReason,
  detail?: string,
): NewOrderEvent[] {
  if (order.status === 'payment_failed') return [];
  if (order.status !== 'confirmed' || order.paymentCaptured)
    throw new OrderRuleError('order-not-confirmed', 'Only a confirmed, unpaid order fails its payment');
  return [{ type: 'order.payment-failed', data: detail ? { reason, detail } : { reason } }];
}

export function recordPaymentCaptured(order: Order, amountMinor: bigint): NewOrderEvent[] {
  if (order.status !== 'confirmed' || !order.holdId)
    throw new OrderRuleError('order-not-confirmed', 'Only a confirmed order is captured');
  if (order.paymentCaptured) return [];
  return [
    { type: 'order.payment-captured', data: { holdId: order.holdId, amountMinor: amountMinor.toString() } },
  ];
}

export function recordStockCommitted(order: Order): NewOrderEvent[] {
  if (order.status !== 'confirmed')
    throw new OrderRuleError('order-not-confirmed', 'Only a confirmed order commits stock');
  return order.stockCommitted ? [] : [{ type: 'order.stock-committed', data: {} }];
}

/** The saga gave up or the customer withdrew before confirmation. */
export function cancelOrder(order: Order, reason: CancelReason, detail?: string): NewOrderEvent[] {
  if (order.status === 'cancelled') return [];
  requirePending(order, 'cancel');
  return [{ type: 'order.cancelled', data: detail ? { reason, detail } : { reason } }];
}

/** A confirmed order the customer cancels is refunded in full once its payment was captured. */
export function recordRefund(order: Order, refundId: string): NewOrderEvent[] {
  if (order.status === 'refunded') return [];
  if (order.status !== 'confirmed' || !order.paymentCaptured)
    throw new OrderRuleError('not-refundable', 'Only a confirmed, paid order is refunded');
  return [{ type: 'order.refunded', data: { refundId, amountMinor: order.totalMinor.toString() } }];
}
