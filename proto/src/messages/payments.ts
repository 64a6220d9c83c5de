// Integration events of payments, on the events exchange (routing key = the type): money that has
// finally moved, for the customer whose account it is. Payments publishes them through its outbox
// (services/payments/src/app/events.ts); notifications consumes them by these contracts.
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

/** A refund of a captured order payment was credited to `userId`'s account. */
export const paymentRefunded = defineMessage(
  'payment.refunded',
  1,
  z.object({
    userId: id,
    refundId: id,
    orderId: id,
    amountMinor: minor,
    currency,
    completedAt: z.iso.datetime(),
  }),
);

export type PaymentTopUpCompleted = z.output<typeof paymentTopUpCompleted.schema>;
export type PaymentWithdrawalCompleted = z.output<typeof paymentWithdrawalCompleted.schema>;
export type PaymentTransferReceived = z.output<typeof paymentTransferReceived.schema>;
export type PaymentRefunded = z.output<typeof paymentRefunded.schema>;
