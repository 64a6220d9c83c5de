// Integration events of payments, on the events exchange (routing key = the type): money that has
// finally moved, for the customer whose account it is. Payments publishes them through its outbox
// (services/payments/src/app/events.ts); notifications consumes the money notices and the back
// office's reporting store all of them by these contracts.
// Each event is about a movement that is final in the journal, never one still in flight.
import { z } from 'zod';
import { defineMessage } from './contract.js';

/** Money in events is a decimal string of minor units (JSON has no int64). */
const minor = z.string().regex(/^\d+$/);
const id = z.string().min(1).max(128);
const currency = z.string().regex(/^[A-Z]{3}$/);

/** A top-up the provider charged arrived: `amountMinor` is what was credited (after the fee). */
export const paymentTopUpCompleted = defineMessage(
  'payment.topup_completed',
  1,
  z.object({
    userId: id,
    paymentId: id,
    amountMinor: minor,
    feeMinor: minor,
    currency,
    completedAt: z.iso.datetime(),
  }),
);

/** A withdrawal the provider paid out: `amountMinor` left the account, `feeMinor` on top of it. */
export const paymentWithdrawalCompleted = defineMessage(
  'payment.withdrawal_completed',
  1,
  z.object({
    userId: id,
    paymentId: id,
    amountMinor: minor,
    feeMinor: minor,
    currency,
    completedAt: z.iso.datetime(),
  }),
);

/** A transfer from another user arrived on `userId`'s account. */
export const paymentTransferReceived = defineMessage(
  'payment.transfer_received',
  1,
  z.object({
    userId: id,
    fromUserId: id,
    transferId: id,
    amountMinor: minor,
    currency,
    completedAt: z.iso.datetime(),
  }),
);

/**
 * A refund of a captured order payment was credited to `userId`'s account: `amountMinor` is what
 * reached the account, the refund less `cashbackReturnedMinor`, the share of the order's cashback the
 * refund took back (absent in events of older versions of payments: read as none).
 */
export const paymentRefunded = defineMessage(
  'payment.refunded',
  1,
  z.object({
    userId: id,
    refundId: id,
    orderId: id,
    amountMinor: minor,
    cashbackReturnedMinor: minor.optional(),
    currency,
    completedAt: z.iso.datetime(),
  }),
);

const holdPurpose = z.enum(['order', 'withdrawal']);

/**
 * Funds were reserved on `userId`'s account (the reserve entry is in the journal): for an order's
 * checkout, or for a withdrawal (its amount and fee). `placedAt` is the journal entry's time.
 */
export const paymentHoldPlaced = defineMessage(
  'payment.hold_placed',
  1,
  z.object({
    userId: id,
    holdId: id,
    orderId: id,
    purpose: holdPurpose,
    amountMinor: minor,
    currency,
    placedAt: z.iso.datetime(),
  }),
);

/**
 * A hold was closed, once, by its one close entry: captured (`capturedMinor` taken, the rest of
 * `amountMinor` released), voided or expired. `amountMinor` is the whole held amount that stopped
 * being held; `closedAt` is the close entry's time.
 */
export const paymentHoldClosed = defineMessage(
  'payment.hold_closed',
  1,
  z.object({
    userId: id,
    holdId: id,
    orderId: id,
    purpose: holdPurpose,
    outcome: z.enum(['captured', 'voided', 'expired']),
    amountMinor: minor,
    capturedMinor: minor,
    currency,
    closedAt: z.iso.datetime(),
  }),
);

/** Cashback on a captured order payment was paid to `userId` from the shop's cashback account. */
export const paymentCashbackPaid = defineMessage(
  'payment.cashback_paid',
  1,
  z.object({
    userId: id,
    holdId: id,
    orderId: id,
    amountMinor: minor,
    currency,
    paidAt: z.iso.datetime(),
  }),
);

/**
 * A top-up was charged back (the provider opened a dispute): `amountMinor` went back to the provider,
 * `fromCustomerMinor` of it from the customer's funds, the rest from the shop's chargeback account.
 */
export const paymentChargebackOpened = defineMessage(
  'payment.chargeback_opened',
  1,
  z.object({
    userId: id,
    disputeId: id,
    paymentId: id,
    amountMinor: minor,
    fromCustomerMinor: minor,
    currency,
    openedAt: z.iso.datetime(),
  }),
);

/**
 * A dispute was decided. `amountMinor` is the disputed amount: `won` returned it the way it went (to
 * the customer and the chargeback account), `lost` moved nothing more (the money stays with the
 * cardholder's bank).
 */
export const paymentChargebackClosed = defineMessage(
  'payment.chargeback_closed',
  1,
  z.object({
    userId: id,
    disputeId: id,
    paymentId: id,
    outcome: z.enum(['won', 'lost']),
    amountMinor: minor,
    currency,
    closedAt: z.iso.datetime(),
  }),
);

export type PaymentTopUpCompleted = z.output<typeof paymentTopUpCompleted.schema>;
export type PaymentWithdrawalCompleted = z.output<typeof paymentWithdrawalCompleted.schema>;
export type PaymentTransferReceived = z.output<typeof paymentTransferReceived.schema>;
export type PaymentRefunded = z.output<typeof paymentRefunded.schema>;
export type PaymentHoldPlaced = z.output<typeof paymentHoldPlaced.schema>;
export type PaymentHoldClosed = z.output<typeof paymentHoldClosed.schema>;
export type PaymentCashbackPaid = z.output<typeof paymentCashbackPaid.schema>;
export type PaymentChargebackOpened = z.output<typeof paymentChargebackOpened.schema>;
export type PaymentChargebackClosed = z.output<typeof paymentChargebackClosed.schema>;
