// The events of an order, in their current shapes. Money is a decimal string of minor units in events
// (JSON has no int64); the aggregate turns it into bigint.
import type { CANCEL_REASONS } from '@shopstack/proto/messages';

export interface OrderLine {
  productId: string;
  quantity: number;
  unitPriceMinor: string;
  currency: string;
  /** The product's catalog category at checkout; absent when it had none (and in older orders). */
  categoryId?: string;
  /**
   * That category's name at checkout, for the sales report (names change; the report groups by the
   * id). Absent with the id, and in orders placed before it was recorded: optional, so their
   * order.placed events load as they are (no new schema version, no upcaster).
   */
  categoryName?: string;
}

/** Why an order ended cancelled; stable values, shown to customers and used in metrics. */
export type CancelReason = (typeof CANCEL_REASONS)[number];

export interface OrderEventData {
  'order.placed': {
    orderId: string;
    userId: string;
    lines: OrderLine[];
    totalMinor: string;
    currency: string;
  };
  'order.stock-reserved': Record<string, never>;
  'order.payment-held': { holdId: string };
  'order.confirmed': { confirmedAt: string };
  'order.payment-captured': { holdId: string; amountMinor: string };
  'order.stock-committed': Record<string, never>;
  'order.cancelled': { reason: CancelReason; detail?: string };
  'order.refunded': { refundId: string; amountMinor: string };
  /** A confirmed order whose hold was gone at capture and could not be authorized again. */
  'order.payment-failed': { reason: PaymentFailureReason; detail?: string };
}

/** Why a confirmed order could not be paid. */
export type PaymentFailureReason = 'hold_expired' | 'hold_voided' | 'insufficient_funds' | 'payment_declined';

export type OrderEventType = keyof OrderEventData;

/** An event about to be appended (no version yet). */
export type NewOrderEvent = {
  [T in OrderEventType]: { type: T; data: OrderEventData[T] };
}[OrderEventType];

/** An event as read back from the store. */
export type RecordedOrderEvent = NewOrderEvent & { version: number; recordedAt: Date };

/** The schema version written for each type today; older rows are upcast when read. */
export const CURRENT_SCHEMA_VERSION: Record<OrderEventType, number> = {
  'order.placed': 2,
  'order.stock-reserved': 1,
  'order.payment-held': 1,
  'order.confirmed': 1,
  'order.payment-captured': 1,
  'order.stock-committed': 1,
  'order.cancelled': 1,
  'order.refunded': 1,
  'order.payment-failed': 1,
};
