// Integration events of orders, on the events exchange (routing key = the type).
//
// `order.completed` is the end of a successful checkout: stock committed, money captured. (The order
// stream's own `order.confirmed` event means "funds held" — an earlier step — and stays inside
// orders; this event used to share its name.)
import { z } from 'zod';
import { defineMessage } from './contract.js';

/** Money in events is a decimal string of minor units (JSON has no int64). */
const minor = z.string().regex(/^-?\d+$/);

export const orderCompleted = defineMessage(
  'order.completed',
  1,
  z.object({
    orderId: z.string().min(1).max(128),
    userId: z.string().min(1).max(128),
    lines: z
      .array(
        z.object({
          productId: z.string().min(1),
          quantity: z.number().int().positive(),
          unitPriceMinor: minor,
          currency: z.string().length(3),
          /** The product's catalog category at checkout; absent when it had none, and in older events. */
          categoryId: z.string().min(1).max(128).optional(),
          /**
           * That category's name at checkout (the catalog's, at most 200 characters); absent without a
           * category, and in events from before it was told. Names change: readers group by the id.
           */
          categoryName: z.string().min(1).max(200).optional(),
        }),
      )
      .min(1),
    totalMinor: minor,
    currency: z.string().length(3),
    completedAt: z.iso.datetime(),
  }),
);

export type OrderCompleted = z.output<typeof orderCompleted.schema>;

/**
 * A confirmed order could not be paid: its hold was gone at capture and a fresh authorization failed.
 * Its stock is released; the customer is told, and the order waits for a person.
 */
export const orderPaymentFailed = defineMessage(
  'order.payment-failed',
  1,
  z.object({
    orderId: z.string().min(1).max(128),
    userId: z.string().min(1).max(128),
    totalMinor: minor,
    currency: z.string().length(3),
    reason: z.enum(['hold_expired', 'hold_voided', 'insufficient_funds', 'payment_declined']),
  }),
);

export type OrderPaymentFailed = z.output<typeof orderPaymentFailed.schema>;

/** Why an order ended cancelled (the order stream's own reasons); notifications words them. */
export const CANCEL_REASONS = [
  'out_of_stock',
  'insufficient_funds',
  'payment_declined',
  'stock_timeout',
  'payment_timeout',
  'cancelled_by_customer',
  /** By an admin, repairing a stuck checkout. */
  'cancelled_by_shop',
] as const;

/** A checkout ended cancelled before any money was taken (stock released, a hold voided). */
export const orderCancelled = defineMessage(
  'order.cancelled',
  1,
  z.object({
    orderId: z.string().min(1).max(128),
    userId: z.string().min(1).max(128),
    reason: z.enum(CANCEL_REASONS),
    totalMinor: minor,
    currency: z.string().length(3),
  }),
);

export type OrderCancelled = z.output<typeof orderCancelled.schema>;

/** A paid order the customer cancelled was refunded: the money is back on their account. */
export const orderRefunded = defineMessage(
  'order.refunded',
  1,
  z.object({
    orderId: z.string().min(1).max(128),
    userId: z.string().min(1).max(128),
    refundId: z.string().min(1).max(128),
    amountMinor: minor,
    currency: z.string().length(3),
  }),
);

export type OrderRefunded = z.output<typeof orderRefunded.schema>;
