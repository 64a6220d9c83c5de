// Which integration event becomes which message. Pure: an event in, the intended notification out
// (or none). Payloads are parsed with zod; an event that does not match is a bug upstream and fails,
// so the inbox retries it once and then dead-letters it where a person can look.
import {
  orderCancelled,
  orderRefunded,
  paymentRefunded,
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
  userBlocked,
} from '@shopstack/proto/messages';
import { z } from 'zod';
import type { TemplateName } from './templates.js';

export interface Intent {
  template: TemplateName;
  userId: string;
  /** When the event carries the address (verification, reset); else it is looked up when sending. */
  email?: string;
  variables: Record<string, unknown>;
}

export interface LinkBase {
  /** The shop's public address, e.g. https://shop.example.com */
  publicUrl: string;
}

export const CONSUMED_EVENTS = [
  'user.email_verification_requested',
  'user.password_reset_requested',
  'user.blocked',
  'order.completed',
  'order.cancelled',
  'order.refunded',
  'payment.topup_completed',
  'payment.withdrawal_completed',
  'payment.transfer_received',
  'payment.refunded',
] as const;

const tokenEvent = z.object({ userId: z.string().min(1), email: z.email(), token: z.string().min(1) });
const userId = z.string().min(1);
const minor = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(String);

/** Money that arrived on the user's account, by event type. */
const RECEIVED = {
  'payment.topup_completed': paymentTopUpCompleted,
  'payment.transfer_received': paymentTransferReceived,
  'payment.refunded': paymentRefunded,
} as const;

const link = (base: LinkBase, path: string, token: string) =>
  `${base.publicUrl.replace(/\/$/, '')}${path}?token=${encodeURIComponent(token)}`;

export function intentFor(type: string, payload: unknown, base: LinkBase): Intent | undefined {
  switch (type) {
    case 'user.email_verification_requested': {
      const e = tokenEvent.parse(payload);
      return {
        template: 'email_verification',
        userId: e.userId,
        email: e.email,
        variables: { link: link(base, '/api/users/verify-email', e.token) },
      };
    }
    case 'user.password_reset_requested': {
      const e = tokenEvent.parse(payload);
      return {
        template: 'password_reset',
        userId: e.userId,
        email: e.email,
        variables: { link: link(base, '/reset-password', e.token) },
      };
    }
    case 'user.blocked': {
      const e = userBlocked.parse(payload);
      return {
        template: 'account_blocked',
        userId: e.userId,
        variables: e.reason ? { reason: e.reason } : {},
      };
    }
    case 'order.completed': {
      const e = z
        .object({
          orderId: z.string().min(1),
          userId,
          lines: z.array(
            z.object({ productId: z.string(), quantity: z.number().int(), unitPriceMinor: minor }),
          ),
          totalMinor: minor,
          currency: z.string(),
        })
        .parse(payload);
      return {
        template: 'order_receipt',
        userId: e.userId,
        variables: { orderId: e.orderId, lines: e.lines, totalMinor: e.totalMinor, currency: e.currency },
      };
    }
    case 'order.cancelled': {
      const e = orderCancelled.parse(payload);
      return {
        template: 'order_cancelled',
        userId: e.userId,
        variables: { orderId: e.orderId, reason: e.reason },
      };
    }
    case 'order.refunded': {
      const e = orderRefunded.parse(payload);
      return {
        template: 'order_refunded',
        userId: e.userId,
        variables: { orderId: e.orderId, amountMinor: e.amountMinor, currency: e.currency },
      };
    }
    case 'payment.topup_completed':
    case 'payment.transfer_received':
    case 'payment.refunded': {
      const contract = RECEIVED[type];
      const e = contract.parse(payload);
      const kind =
        type === 'payment.topup_completed' ? 'topup' : type === 'payment.refunded' ? 'refund' : 'transfer';
      return {
        template: 'payment_received',
        userId: e.userId,
        variables: { kind, amountMinor: e.amountMinor, currency: e.currency },
      };
    }
    case 'payment.withdrawal_completed': {
      const e = paymentWithdrawalCompleted.parse(payload);
      return {
        template: 'payment_sent',
        userId: e.userId,
        variables: { kind: 'withdrawal', amountMinor: e.amountMinor, currency: e.currency },
      };
    }
    default:
      return undefined;
  }
}
