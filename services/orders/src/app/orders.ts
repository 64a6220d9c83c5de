// Queries over orders (read model, temporal view) and the customer's cancel. Every one of them checks
// that the order belongs to the caller; another customer's order is reported as not found.
import { AppError, withTransaction } from '@shopstack/kit';
import { loadOrder } from '../adapters/order-repository.js';
import {
  findOrderView,
  listOrderViews,
  listOrderViewsByStatus,
  type OrderPage,
  type OrderPosition,
} from '../adapters/order-views.js';
import { lockSaga } from '../adapters/saga-store.js';
import type { OrdersDeps } from './deps.js';
import { type OrderView, toOrderView } from './views.js';

const notFound = (orderId: string) => new AppError('not_found', 'order-not-found', `No order ${orderId}`);

export async function getOrder(
  deps: OrdersDeps,
  userId: string,
  orderId: string,
  asOf?: Date,
): Promise<OrderView> {
  if (asOf) {
    const then = await loadOrder(deps.pool, orderId, asOf);
    const now = then ?? (await loadOrder(deps.pool, orderId));
    if (!now || now.userId !== userId) throw notFound(orderId);
    if (!then)
      throw new AppError(
        'not_found',
        'order-not-yet-placed',
        `Order ${orderId} did not exist at ${asOf.toISOString()}`,
      );
    return toOrderView(then);
  }
  const view = await findOrderView(deps.pool, orderId);
  if (!view || view.userId !== userId) throw notFound(orderId);
  return view;
}

export function listOrders(
  deps: OrdersDeps,
  userId: string,
  limit: number,
  cursor?: OrderPosition,
): Promise<OrderPage> {
  return listOrderViews(deps.pool, userId, { limit, cursor });
}

/**
 * Before confirmation the checkout is compensated (what the step's declaration owes); a confirmed,
 * paid order is refunded. While a step's call is in flight, or between confirmation and the end of
 * the saga, the answer is 409: retry in a moment.
 */
export async function cancelByCustomer(
  deps: OrdersDeps,
  userId: string,
  orderId: string,
): Promise<OrderView> {
  const engine = deps.engine();
  await withTransaction(deps.pool, async (client) => {
    const saga = await lockSaga(client, orderId);
    const order = saga && (await engine.orderOf(client, saga));
    if (!saga || !order || order.userId !== userId) throw notFound(orderId);
    if (order.status !== 'pending' && order.status !== 'confirmed') return; // nothing left to cancel
    if (saga.step === 'refund') return;
    const move =
      saga.step === 'done'
        ? engine.definition.onCancelWhenDone?.when(order)
        : saga.leased
          ? undefined
          : engine.definition.steps[saga.step].onCancel?.(order, 'customer');
    if (move) {
      await engine.applyMove(client, saga, order, move);
      return;
    }
    throw new AppError('conflict', 'order-settling', 'The order is being confirmed; try again in a moment', {
      retryAfterSeconds: 1,
    });
  });
  return (await findOrderView(deps.pool, orderId))!;
}

/** Orders a person must look at: confirmed, but their payment failed (oldest first). */
export function listOrdersNeedingAttention(deps: OrdersDeps, limit: number): Promise<OrderView[]> {
  return listOrderViewsByStatus(deps.pool, 'payment_failed', limit);
}
