// The integration events orders publishes on the events exchange, built from their contracts in
// @shopstack/proto/messages (routing key = the type). Written to the outbox by the caller.
import type { OutgoingMessage } from '@shopstack/kit';
import { orderCancelled, orderCompleted, orderPaymentFailed, orderRefunded } from '@shopstack/proto/messages';
import type { CancelReason, PaymentFailureReason } from '../domain/events.js';
import type { Order } from '../domain/order.js';

/** A checkout finished: stock committed and money captured. */
export function orderCompletedEvent(
  exchange: string,
  order: Order,
  completedAt = new Date(),
): OutgoingMessage {
  return {
    exchange,
    routingKey: orderCompleted.type,
    type: orderCompleted.type,
    payload: orderCompleted.encode({
      orderId: order.id,
      userId: order.userId,
      lines: order.lines.map((line) => ({ ...line })),
      totalMinor: order.totalMinor.toString(),
      currency: order.currency,
      completedAt: completedAt.toISOString(),
    }),
  };
}

/** A confirmed order could not be paid (see the contract). */
export function orderPaymentFailedEvent(
  exchange: string,
  order: Order,
  reason: PaymentFailureReason,
): OutgoingMessage {
  return {
    exchange,
    routingKey: orderPaymentFailed.type,
    type: orderPaymentFailed.type,
    payload: orderPaymentFailed.encode({
      orderId: order.id,
      userId: order.userId,
      totalMinor: order.totalMinor.toString(),
      currency: order.currency,
      reason,
    }),
  };
}

/** A checkout ended cancelled (see the contract). */
export function orderCancelledEvent(exchange: string, order: Order, reason: CancelReason): OutgoingMessage {
  return {
    exchange,
    routingKey: orderCancelled.type,
    type: orderCancelled.type,
    payload: orderCancelled.encode({
      orderId: order.id,
      userId: order.userId,
      reason,
      totalMinor: order.totalMinor.toString(),
      currency: order.currency,
    }),
  };
}

/** A paid, cancelled order was refunded (see the contract). */
export function orderRefundedEvent(
  exchange: string,
  order: Order,
  refund: { refundId: string; amountMinor: bigint },
): OutgoingMessage {
  return {
    exchange,
    routingKey: orderRefunded.type,
    type: orderRefunded.type,
    payload: orderRefunded.encode({
      orderId: order.id,
      userId: order.userId,
      refundId: refund.refundId,
      amountMinor: refund.amountMinor.toString(),
      currency: order.currency,
    }),
  };
}
