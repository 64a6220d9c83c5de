// Moves a checkout saga between steps inside a transaction the caller holds (with the saga row
// locked): the order's events, the saga row and any command to the catalog change together.
import { enqueueOutbox, type PoolClient } from '@shopstack/kit';
import { orderCompletedEvent } from '../adapters/integration-events.js';
import { saveOrder } from '../adapters/order-repository.js';
import { moveSaga, type SagaRow, type StepTiming } from '../adapters/saga-store.js';
import { sendCommitStock, sendReleaseStock } from '../adapters/stock-commands.js';
import type { CancelReason } from '../domain/events.js';
import { cancelOrder, type Order, recordPaymentHeld, recordStockCommitted } from '../domain/order.js';
import { compensationFor, type SagaStep } from '../domain/saga.js';
import type { OrdersDeps } from './deps.js';

/** When a step is first looked at and when it gives up; call steps without a deadline start at once. */
export function stepTiming(deps: OrdersDeps, step: SagaStep): StepTiming {
  switch (step) {
    case 'reserve_stock':
      return { nextAttemptInMs: deps.timeouts.reserveStockMs, deadlineInMs: deps.timeouts.reserveStockMs };
    case 'hold_funds':
      return { nextAttemptInMs: 0, deadlineInMs: deps.timeouts.holdFundsMs };
    case 'commit_stock':
      return { nextAttemptInMs: deps.timeouts.commitStockResendMs, deadlineInMs: null };
    default:
      return { nextAttemptInMs: 0, deadlineInMs: null };
  }
}

async function moveTo(client: PoolClient, deps: OrdersDeps, saga: SagaRow, step: SagaStep, holdId?: string) {
  await moveSaga(client, saga.orderId, step, stepTiming(deps, step), holdId);
  if (step !== 'done') deps.wakeSaga();
}

/** Ends the order cancelled and starts whatever undoing the step it was in requires. */
export async function compensate(
  client: PoolClient,
  deps: OrdersDeps,
  saga: SagaRow,
  order: Order,
  reason: CancelReason,
  options: { detail?: string; nothingReserved?: boolean; nothingHeld?: boolean } = {},
): Promise<Order> {
  const owed = compensationFor(saga.step, order);
  const cancelled = await saveOrder(client, saga.orderId, order, cancelOrder(order, reason, options.detail));
  if (owed.releaseStock && !options.nothingReserved)
    await sendReleaseStock(client, deps.stockRoute, saga.orderId);
  const voidHold = owed.voidHold && !options.nothingHeld;
  await moveTo(client, deps, saga, voidHold ? 'void_hold' : 'done');
  deps.logger.info({ orderId: saga.orderId, reason, step: saga.step }, 'checkout cancelled');
  return cancelled;
}

export async function onStockReserved(client: PoolClient, deps: OrdersDeps, saga: SagaRow, order: Order) {
  await saveOrder(client, saga.orderId, order, [{ type: 'order.stock-reserved', data: {} }]);
  await moveTo(client, deps, saga, 'hold_funds');
}

/** Funds held: the order is confirmed (the saga's pivot); from here on it only moves forward. */
export async function onFundsHeld(
  client: PoolClient,
  deps: OrdersDeps,
  saga: SagaRow,
  order: Order,
  holdId: string,
) {
  await saveOrder(client, saga.orderId, order, recordPaymentHeld(order, holdId, new Date()));
  await moveTo(client, deps, saga, 'capture', holdId);
}

export async function onCaptured(client: PoolClient, deps: OrdersDeps, saga: SagaRow, order: Order) {
  if (!order.paymentCaptured)
    await saveOrder(client, saga.orderId, order, [
      {
        type: 'order.payment-captured',
        data: { holdId: order.holdId!, amountMinor: order.totalMinor.toString() },
      },
    ]);
  await sendCommitStock(client, deps.stockRoute, saga.orderId);
  await moveTo(client, deps, saga, 'commit_stock');
}

/** The last step: stock is sold; the rest of the shop hears `order.completed`. */
export async function onStockCommitted(client: PoolClient, deps: OrdersDeps, saga: SagaRow, order: Order) {
  const done = await saveOrder(client, saga.orderId, order, recordStockCommitted(order));
  await enqueueOutbox(client, orderCompletedEvent(deps.eventsExchange, done));
  await moveTo(client, deps, saga, 'done');
}
