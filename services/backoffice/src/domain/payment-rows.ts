// What payments' events put into the reporting store's money table (rpt_money): pure, so the
// producer→consumer contract test reads payments' events with this very code. Every row has a
// positive amount and an id made from what it is about (not the message id), so one movement told
// twice, or by orders and payments both (a refund), is one row.
import {
  paymentCashbackPaid,
  paymentChargebackClosed,
  paymentChargebackOpened,
  paymentHoldClosed,
  paymentHoldPlaced,
  paymentRefunded,
  paymentTopUpCompleted,
  paymentWithdrawalCompleted,
} from '@shopstack/proto/messages';

export interface MoneyRow {
  eventId: string;
  kind: string;
  userId: string | null;
  /** The order, payment or hold it is about (a hold's id pairs its placing with its close). */
  reference: string | null;
  amountMinor: string;
  currency: string;
  occurredAt: Date;
  reason?: string;
}

/** payments' events the reporting store reads. */
export const PAYMENT_EVENTS = [
  paymentTopUpCompleted.type,
  paymentWithdrawalCompleted.type,
  paymentRefunded.type,
  paymentCashbackPaid.type,
  paymentChargebackOpened.type,
  paymentChargebackClosed.type,
  paymentHoldPlaced.type,
  paymentHoldClosed.type,
] as const;

const HOLD_CLOSED_KIND = {
  captured: 'hold_captured',
  voided: 'hold_voided',
  expired: 'hold_expired',
} as const;

/** The rows of one of payments' events; undefined for a type that is not one of them. */
export function paymentMoneyRows(type: string, payload: unknown): MoneyRow[] | undefined {
  switch (type) {
    case paymentTopUpCompleted.type:
    case paymentWithdrawalCompleted.type: {
      const topUp = type === paymentTopUpCompleted.type;
      const event = (topUp ? paymentTopUpCompleted : paymentWithdrawalCompleted).parse(payload);
      const kind = topUp ? 'topup' : 'withdrawal';
      const base = {
        userId: event.userId,
        reference: event.paymentId,
        currency: event.currency,
        occurredAt: new Date(event.completedAt),
      };
      const rows: MoneyRow[] = [
        { ...base, eventId: `${kind}:${event.paymentId}`, kind, amountMinor: event.amountMinor },
      ];
      if (BigInt(event.feeMinor) > 0n)
        rows.push({
          ...base,
          eventId: `fee:${kind}:${event.paymentId}`,
          kind: 'fee',
          amountMinor: event.feeMinor,
        });
      return rows;
    }
    case paymentRefunded.type: {
      // The same refund orders announces as order.refunded: one row per refund id, whoever tells it
      // first, with the refund's whole amount (what reached the account plus the cashback taken back).
      const event = paymentRefunded.parse(payload);
      const returned = BigInt(event.cashbackReturnedMinor ?? '0');
      const base = {
        userId: event.userId,
        reference: event.orderId,
        currency: event.currency,
        occurredAt: new Date(event.completedAt),
      };
      const rows: MoneyRow[] = [
        {
          ...base,
          eventId: `refund:${event.refundId}`,
          kind: 'refund',
          amountMinor: String(BigInt(event.amountMinor) + returned),
        },
      ];
      if (returned > 0n)
        rows.push({
          ...base,
          eventId: `cashback_reversed:${event.refundId}`,
          kind: 'cashback_reversed',
          amountMinor: String(returned),
        });
      return rows;
    }
    case paymentCashbackPaid.type: {
      const event = paymentCashbackPaid.parse(payload);
      return [
        {
          eventId: `cashback:${event.holdId}`,
          kind: 'cashback',
          userId: event.userId,
          reference: event.orderId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          occurredAt: new Date(event.paidAt),
        },
      ];
    }
    case paymentChargebackOpened.type: {
      const event = paymentChargebackOpened.parse(payload);
      return [
        {
          eventId: `chargeback:${event.disputeId}`,
          kind: 'chargeback',
          userId: event.userId,
          reference: event.paymentId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          occurredAt: new Date(event.openedAt),
        },
      ];
    }
    case paymentChargebackClosed.type: {
      // Once per dispute: a dispute is decided once, whichever way.
      const event = paymentChargebackClosed.parse(payload);
      return [
        {
          eventId: `chargeback_closed:${event.disputeId}`,
          kind: `chargeback_${event.outcome}`,
          userId: event.userId,
          reference: event.paymentId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          occurredAt: new Date(event.closedAt),
        },
      ];
    }
    case paymentHoldPlaced.type: {
      const event = paymentHoldPlaced.parse(payload);
      return [
        {
          eventId: `hold_placed:${event.holdId}`,
          kind: 'hold_placed',
          userId: event.userId,
          reference: event.holdId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          occurredAt: new Date(event.placedAt),
        },
      ];
    }
    case paymentHoldClosed.type: {
      const event = paymentHoldClosed.parse(payload);
      return [
        {
          eventId: `hold_closed:${event.holdId}`,
          kind: HOLD_CLOSED_KIND[event.outcome],
          userId: event.userId,
          reference: event.holdId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          occurredAt: new Date(event.closedAt),
        },
      ];
    }
    default:
      return undefined;
  }
}
