// Queries over orders (read model, temporal view) and the customer's cancel. Every one of them checks
// that the order belongs to the caller; another customer's order is reported as not found.
import { AppError, withTransaction } from '@shopstack/kit';
import { loadOrder } from '../adapters/order-repository.js';
import { findOrderView, listOrderViews, type OrderPage } from '../adapters/order-views.js';
import { lockSaga, moveSaga } from '../adapters/saga-store.js';
import { isCancellable } from '../domain/saga.js';
import type { OrdersDeps } from './deps.js';
import { compensate } from './saga-transitions.js';
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
  cursor?: { placedAt: string; orderId: string },
): Promise<OrderPage> {
  return listOrderViews(deps.pool, userId, { limit, cursor });
}

/** Before confirmation the checkout is compensated; a confirmed, paid order is refunded. */
export async function cancelByCustomer(
  deps: OrdersDeps,
  userId: string,
  orderId: string,
): Promise<OrderView> {
  await withTransaction(deps.pool, async (client) => {
    const saga = await lockSaga(client, orderId);
    const order = await loadOrder(client, orderId);
    if (!saga || !order || order.userId !== userId) throw notFound(orderId);
    if (order.status === 'cancelled' || order.status === 'refunded' || saga.step === 'refund') return;
    if (order.status === 'pending' && isCancellable(saga.step)) {
      await compensate(client, deps, saga, order, 'cancelled_by_customer');
      return;
    }
    if (order.status === 'confirmed' && saga.step === 'done' && order.paymentCaptured) {
      await moveSaga(client, orderId, 'refund', { nextAttemptInMs: 0, deadlineInMs: null });
      deps.wakeSaga();
      return;
    }
    throw new AppError('conflict', 'order-settling', 'The order is being confirmed; try again in a moment', {
      retryAfterSeconds: 1,
    });
  });
  return (await findOrderView(deps.pool, orderId))!;
}
