// The checkout saga, the whole flow in one place. Each step says how it makes progress (a gRPC call
// to payments, or a reply from the catalog to a command sent when the step was entered), which
// outcomes it ends in and where each leads, when it gives up and what that means, and what a cancel
// in it owes. Confirmation (funds held) is the pivot: after it the saga only moves forward. The
// engine (saga-engine.ts) runs it; the order aggregate's `record*` functions make every event.
//
// The README's diagram is generated from this declaration (`npm run -w @shopstack/orders saga-diagram`)
// and a unit test keeps the two equal.
import type { StockReply } from '@shopstack/proto/messages';
import { ClientError, Status } from 'nice-grpc';
import {
  orderCancelledEvent,
  orderCompletedEvent,
  orderPaymentFailedEvent,
  orderRefundedEvent,
} from '../adapters/integration-events.js';
import type { HoldOutcome, PaymentsPort } from '../adapters/payments-client.js';
import {
  commitStockCommand,
  releaseStockCommand,
  type StockCommandRoute,
} from '../adapters/stock-commands.js';
import type { CancelReason, NewOrderEvent, PaymentFailureReason } from '../domain/events.js';
import {
  cancelOrder,
  type Order,
  recordHoldRenewed,
  recordPaymentCaptured,
  recordPaymentFailed,
  recordPaymentHeld,
  recordRefund,
  recordStockCommitted,
  recordStockReserved,
} from '../domain/order.js';
import {
  awaitStep,
  type CancelledBy,
  callStep,
  type Decision,
  type Move,
  type SagaDefinition,
} from './saga-definition.js';

export type CheckoutStep =
  | 'reserve_stock'
  | 'hold_funds'
  | 'capture'
  | 'renew_hold'
  | 'commit_stock'
  | 'void_hold'
  | 'refund';

export interface CheckoutSettings {
  reserveStockMs: number;
  holdFundsMs: number;
  /** How long to wait for the commit reply before sending the (idempotent) command again. */
  commitStockResendMs: number;
}

/** What the steps act on. */
export interface CheckoutPorts {
  payments: PaymentsPort;
  stockRoute: StockCommandRoute;
  eventsExchange: string;
}

type Ports = CheckoutPorts;
/** Due as soon as entered, and never gives up. */
const atOnce = { firstAttemptInMs: 0, deadlineInMs: null };

export function checkoutSaga(
  ports: Ports,
): SagaDefinition<CheckoutStep, Order, NewOrderEvent, Ports, StockReply, CheckoutSettings> {
  const release = (order: Order) => releaseStockCommand(ports.stockRoute, order.id);
  /**
   * Ends the order cancelled; a reservation that is or may be in place is released, and
   * `order.cancelled` is published with the cancellation (in the same write as its event).
   */
  const cancel = <O extends string>(
    outcome: O,
    order: Order,
    reason: CancelReason,
    owes: { release: boolean },
    detail?: string,
  ): Move<O, NewOrderEvent> => {
    const events = cancelOrder(order, reason, detail);
    return {
      outcome,
      events,
      messages: [
        ...(owes.release ? [release(order)] : []),
        ...(events.length > 0 ? [orderCancelledEvent(ports.eventsExchange, order, reason)] : []),
      ],
      detail: reason,
    };
  };

  return {
    name: 'checkout',
    start: 'reserve_stock',
    steps: {
      reserve_stock: awaitStep({
        does: 'reserve-stock command to the catalog (sent by the checkout), wait for its reply',
        outcomes: { reserved: 'hold_funds', rejected: 'done', timeout: 'done', cancelled: 'done' },
        timing: (s) => ({ firstAttemptInMs: s.reserveStockMs, deadlineInMs: s.reserveStockMs }),
        onReply(reply, order) {
          if (reply.command !== 'reserve-stock') return undefined;
          if (reply.status === 'reserved') return { outcome: 'reserved', events: recordStockReserved(order) };
          const detail = reply.shortages.map((s) => `${s.productId}: ${s.reason}`).join(', ');
          // A rejected reservation took nothing; anything else may have, so it is released.
          return cancel('rejected', order, 'out_of_stock', { release: reply.status !== 'rejected' }, detail);
        },
        // The reservation is in doubt: release it (the catalog remembers a release that came first).
        onDeadline: (order) => cancel('timeout', order, 'stock_timeout', { release: true }),
        onCancel: (order, by) => cancel('cancelled', order, cancelReasonOf(by), { release: true }),
      }),

      hold_funds: callStep({
        does: 'gRPC AuthorizeHold; held = the order is confirmed (the pivot)',
        outcomes: {
          held: 'capture',
          declined: 'done',
          refused: 'done',
          timeout: 'void_hold',
          cancelled: 'void_hold',
        },
        timing: (s) => ({ firstAttemptInMs: 0, deadlineInMs: s.holdFundsMs }),
        async invoke({ payments }, order) {
          const outcome = await payments.authorizeHold(holdRequest(order));
          if (outcome.kind === 'held')
            return { outcome: 'held', events: recordPaymentHeld(order, outcome.holdId, new Date()) };
          if (outcome.kind === 'declined')
            return cancel('declined', order, outcome.reason, { release: true });
          return { retry: `hold is ${outcome.kind}` };
        },
        onError(error, order) {
          // Payments refusing the request itself (not a fault of the moment) will refuse it again.
          if (isRefusal(error))
            return cancel('refused', order, 'payment_declined', { release: true }, (error as Error).message);
          return { retry: (error as Error).message }; // unreachable, slow, breaker open: until the deadline
        },
        // The hold is in doubt: void_hold finds it by its idempotency key.
        onDeadline: (order) => cancel('timeout', order, 'payment_timeout', { release: true }),
        onCancel: (order, by) => cancel('cancelled', order, cancelReasonOf(by), { release: true }),
      }),

      capture: callStep({
        does: 'gRPC CaptureHold of the confirmed order, retried until payments answers',
        outcomes: { captured: 'commit_stock', hold_gone: 'renew_hold' },
        timing: () => atOnce,
        pastPivot: true,
        async invoke({ payments, stockRoute }, order) {
          const outcome = await payments.captureHold(order.id, order.holdId!);
          if (outcome.kind === 'closed' && outcome.status === 'captured')
            return {
              outcome: 'captured',
              events: recordPaymentCaptured(order, order.totalMinor),
              messages: [commitStockCommand(stockRoute, order.id, order.userId)],
            };
          // Expired or voided: capture fails for good; the saga asks for one fresh authorization.
          if (outcome.kind === 'closed') return { outcome: 'hold_gone', detail: `hold ${outcome.status}` };
          return { retry: `capture: hold is ${outcome.kind}` };
        },
        onError: retryOnError,
      }),

      renew_hold: callStep({
        does: 'the hold expired or was voided: one fresh gRPC AuthorizeHold, else payment_failed',
        outcomes: { renewed: 'capture', failed: 'done' },
        timing: () => atOnce,
        pastPivot: true,
        async invoke({ payments }, order) {
          const outcome = await payments.authorizeHold({ ...holdRequest(order), renewal: true });
          // Captured already: a crash came between its capture and our record of it.
          if (outcome.kind === 'held' || (outcome.kind === 'closed' && outcome.status === 'captured'))
            return { outcome: 'renewed', events: recordHoldRenewed(order, outcome.holdId) };
          if (outcome.kind === 'pending') return { retry: 'renewed hold is pending' };
          return paymentFailed(order, outcome);
        },
        onError: retryOnError,
      }),

      commit_stock: awaitStep({
        does: 'commit-stock command to the catalog, wait for its reply; order.completed published',
        outcomes: { committed: 'done', overdue: 'commit_stock' },
        timing: (s) => ({ firstAttemptInMs: s.commitStockResendMs, deadlineInMs: null }),
        pastPivot: true,
        onReply(reply, order) {
          if (reply.command !== 'commit-stock' || reply.status !== 'committed') return undefined;
          const events = recordStockCommitted(order);
          return {
            outcome: 'committed',
            events,
            messages: [orderCompletedEvent(ports.eventsExchange, order)],
          };
        },
        // No reply within the resend interval: ask again (the catalog answers a repeat the same way).
        onOverdue: (order) => ({
          outcome: 'overdue',
          messages: [commitStockCommand(ports.stockRoute, order.id, order.userId)],
        }),
      }),

      void_hold: callStep({
        does: 'gRPC VoidHold of a cancelled checkout (found by its key when its id is unknown)',
        outcomes: { voided: 'done' },
        timing: () => atOnce,
        async invoke({ payments }, order) {
          // A hold whose authorization timed out may exist without our knowing its id: the same
          // idempotency key finds it (or creates it, to be voided at once), so no hold outlives a
          // cancelled order.
          let holdId = order.holdId;
          if (!holdId) {
            const found = await payments.authorizeHold(holdRequest(order));
            if (found.kind === 'declined') return { outcome: 'voided', detail: 'no hold was placed' };
            if (found.kind === 'pending') return { retry: 'hold pending' };
            holdId = found.holdId;
          }
          const outcome = await payments.voidHold(order.id, holdId);
          if (outcome.kind === 'pending') return { retry: 'void pending' };
          return { outcome: 'voided' };
        },
        onError: retryOnError,
      }),

      refund: callStep({
        does: 'gRPC Refund of a confirmed, paid order the customer cancelled',
        outcomes: { refunded: 'done' },
        timing: () => atOnce,
        pastPivot: true,
        async invoke({ payments }, order) {
          const outcome = await payments.refund(order.id, order.holdId!, order.totalMinor);
          if (outcome.kind === 'refunded') {
            const events = recordRefund(order, outcome.refundId);
            const refund = { refundId: outcome.refundId, amountMinor: order.totalMinor };
            return {
              outcome: 'refunded',
              events,
              messages: events.length > 0 ? [orderRefundedEvent(ports.eventsExchange, order, refund)] : [],
            };
          }
          return { retry: `refund is ${outcome.kind}` };
        },
        onError: retryOnError,
      }),
    },
    onCancelWhenDone: {
      outcome: 'cancelled_after_payment',
      to: 'refund',
      when: (order) =>
        order.status === 'confirmed' && order.paymentCaptured
          ? { outcome: 'cancelled_after_payment' }
          : undefined,
    },
  };

  function paymentFailed(order: Order, outcome: HoldOutcome): Decision<'failed', NewOrderEvent> {
    const failure: PaymentFailureReason =
      outcome.kind === 'declined'
        ? outcome.reason
        : outcome.kind === 'closed' && outcome.status === 'voided'
          ? 'hold_voided'
          : 'hold_expired';
    const events = recordPaymentFailed(order, failure, 'the hold was gone at capture and a fresh one failed');
    return {
      outcome: 'failed',
      events,
      messages: [release(order), orderPaymentFailedEvent(ports.eventsExchange, order, failure)],
      detail: failure,
    };
  }
}

const cancelReasonOf = (by: CancelledBy): CancelReason =>
  by === 'shop' ? 'cancelled_by_shop' : 'cancelled_by_customer';

const holdRequest = (order: Order) => ({
  orderId: order.id,
  userId: order.userId,
  amountMinor: order.totalMinor,
  currency: order.currency,
});

/** After the pivot every failure of a call is retried (every call is idempotent). */
const retryOnError = (error: unknown): { retry: string } => ({ retry: (error as Error).message });

const refusals = new Set([
  Status.INVALID_ARGUMENT,
  Status.ALREADY_EXISTS,
  Status.FAILED_PRECONDITION,
  Status.PERMISSION_DENIED,
]);

function isRefusal(error: unknown): boolean {
  return error instanceof ClientError && refusals.has(error.code);
}
