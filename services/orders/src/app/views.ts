// The public shape of an order, as stored in the read model and returned by the API.
import type { Order } from '../domain/order.js';

export interface OrderView {
  orderId: string;
  userId: string;
  status: Order['status'];
  lines: Order['lines'];
  totalMinor: string;
  currency: string;
  placedAt: string;
  updatedAt: string;
  confirmedAt: string | null;
  cancelReason: string | null;
  /** Why a confirmed order could not be paid (status payment_failed). */
  paymentFailure: string | null;
  refundedMinor: string;
  progress: {
    stockReserved: boolean;
    paymentHeld: boolean;
    paymentCaptured: boolean;
    stockCommitted: boolean;
  };
  version: number;
}

export function toOrderView(order: Order): OrderView {
  return {
    orderId: order.id,
    userId: order.userId,
    status: order.status,
    lines: order.lines,
    totalMinor: order.totalMinor.toString(),
    currency: order.currency,
    placedAt: order.placedAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    confirmedAt: order.confirmedAt?.toISOString() ?? null,
    cancelReason: order.cancelReason ?? null,
    paymentFailure: order.paymentFailure ?? null,
    refundedMinor: order.refundedMinor.toString(),
    progress: {
      stockReserved: order.stockReserved,
      paymentHeld: order.holdId !== undefined,
      paymentCaptured: order.paymentCaptured,
      stockCommitted: order.stockCommitted,
    },
    version: order.version,
  };
}
