// What the engine does when a saga is due: the gRPC call of a call step (retried until the step's
// deadline), or the timeout of a step that waits for a reply. Runs with the saga row locked.
import type { PoolClient } from '@shopstack/kit';
import { ClientError, Status } from 'nice-grpc';
import { loadOrder, saveOrder } from '../adapters/order-repository.js';
import { moveSaga, retrySagaLater, type SagaRow } from '../adapters/saga-store.js';
import { sendCommitStock } from '../adapters/stock-commands.js';
import { recordRefund } from '../domain/order.js';
import { onTimeout, retryDelayMs } from '../domain/saga.js';
import type { OrdersDeps } from './deps.js';
import { compensate, onCaptured, onFundsHeld } from './saga-transitions.js';

export async function runDueStep(client: PoolClient, deps: OrdersDeps, saga: SagaRow): Promise<void> {
  const order = await loadOrder(client, saga.orderId);
  if (!order) throw new Error(`saga ${saga.orderId} has no order stream`);
  const expired = saga.deadlineAt !== null && saga.deadlineAt.getTime() <= Date.now();

  if (expired) {
    const decision = onTimeout(saga.step);
    if (decision.action === 'compensate') {
      await compensate(client, deps, saga, order, decision.reason);
      return;
    }
  }
  // Every call below is awaited inside the try (`return await`), so its failure is handled here.
  try {
    switch (saga.step) {
      case 'reserve_stock':
        return; // only its deadline makes it due, handled above
      case 'hold_funds': {
        const outcome = await deps.payments.authorizeHold({
          orderId: order.id,
          userId: order.userId,
          amountMinor: order.totalMinor,
          currency: order.currency,
        });
        if (outcome.kind === 'held')
          return void (await onFundsHeld(client, deps, saga, order, outcome.holdId));
        if (outcome.kind === 'declined')
          return void (await compensate(client, deps, saga, order, outcome.reason, { nothingHeld: true }));
        return await retryLater(client, saga, `hold is ${outcome.kind}`);
      }
      case 'capture': {
        const outcome = await deps.payments.captureHold(order.id, order.holdId!);
        if (outcome.kind === 'closed' && outcome.status === 'captured')
          return await onCaptured(client, deps, saga, order);
        // A hold that expired or was voided after confirmation needs a person; keep it visible.
        if (outcome.kind === 'closed')
          deps.logger.error({ orderId: order.id, outcome }, 'confirmed order cannot be captured');
        return await retryLater(client, saga, `capture: hold is ${outcome.kind}`);
      }
      case 'commit_stock':
        // No reply within the resend interval: ask again (the catalog answers a repeat the same way).
        await sendCommitStock(client, deps.stockRoute, order.id);
        return await retryLater(client, saga, 'commit reply overdue', deps.timeouts.commitStockResendMs);
      case 'void_hold':
        return await voidHold(client, deps, saga, order.id, order.userId, order.totalMinor, order.currency);
      case 'refund': {
        const outcome = await deps.payments.refund(order.id, order.holdId!, order.totalMinor);
        if (outcome.kind === 'refunded') {
          await saveOrder(client, order.id, order, recordRefund(order, outcome.refundId));
          return await finish(client, order.id);
        }
        return await retryLater(client, saga, `refund is ${outcome.kind}`);
      }
      case 'done':
        return;
    }
  } catch (error) {
    // Payments refusing the request itself (not a fault of the moment) will refuse it again.
    if (saga.step === 'hold_funds' && isRefusal(error)) {
      deps.logger.warn({ err: error, orderId: saga.orderId }, 'payments refused the hold');
      await compensate(client, deps, saga, order, 'payment_declined', {
        nothingHeld: true,
        detail: (error as Error).message,
      });
      return;
    }
    // Payments unreachable, slow or behind an open breaker: try again, until the step's deadline.
    await retryLater(client, saga, (error as Error).message);
  }
}

async function voidHold(
  client: PoolClient,
  deps: OrdersDeps,
  saga: SagaRow,
  orderId: string,
  userId: string,
  amountMinor: bigint,
  currency: string,
) {
  // A hold whose authorization timed out may exist without our knowing its id: the same idempotency
  // key finds it (or creates it, to be voided at once), so no hold outlives a cancelled order.
  let holdId = saga.holdId;
  if (!holdId) {
    const found = await deps.payments.authorizeHold({ orderId, userId, amountMinor, currency });
    if (found.kind === 'declined') return finish(client, orderId);
    if (found.kind === 'pending') return retryLater(client, saga, 'hold pending');
    holdId = found.holdId;
  }
  const outcome = await deps.payments.voidHold(orderId, holdId);
  if (outcome.kind === 'pending') return retryLater(client, saga, 'void pending');
  return finish(client, orderId);
}

async function finish(client: PoolClient, orderId: string) {
  await moveSaga(client, orderId, 'done', { nextAttemptInMs: 0, deadlineInMs: null });
}

function retryLater(
  client: PoolClient,
  saga: SagaRow,
  reason: string,
  delayMs = retryDelayMs(saga.attempts + 1),
) {
  return retrySagaLater(client, saga.orderId, delayMs, reason);
}

const refusals = new Set([
  Status.INVALID_ARGUMENT,
  Status.ALREADY_EXISTS,
  Status.FAILED_PRECONDITION,
  Status.PERMISSION_DENIED,
]);

function isRefusal(error: unknown): boolean {
  return error instanceof ClientError && refusals.has(error.code);
}
