// Queries for support tools over gRPC (internal only, never routed by the edge): any order, any
// customer, no ownership check, because the caller is another service or an operator's grpcurl.
import { AppError } from '@shopstack/kit';
import { readStream } from '../adapters/event-store.js';
import { loadOrder } from '../adapters/order-repository.js';
import {
  findOrderView,
  listOrderViews,
  type OrderPage,
  type OrderPosition,
} from '../adapters/order-views.js';
import {
  findOverdueSagas,
  findSagaStatus,
  type OverdueSaga,
  type SagaStatus,
} from '../adapters/saga-store.js';
import type { RecordedOrderEvent } from '../domain/events.js';
import type { OrdersDeps } from './deps.js';
import { type OrderView, toOrderView } from './views.js';

const notFound = (orderId: string) => new AppError('not_found', 'order-not-found', `No order ${orderId}`);

/** An order now, with its saga's progress; or as it was at `asOf` (then without the saga). */
export async function inspectOrder(
  deps: OrdersDeps,
  orderId: string,
  asOf?: Date,
): Promise<{ view: OrderView; saga?: SagaStatus }> {
  if (asOf) {
    const then = await loadOrder(deps.pool, orderId, asOf);
    if (!then) throw notFound(orderId);
    return { view: toOrderView(then) };
  }
  const view = await findOrderView(deps.pool, orderId);
  if (!view) throw notFound(orderId);
  return { view, saga: (await findSagaStatus(deps.pool, orderId)) ?? undefined };
}

export function ordersOfCustomer(
  deps: OrdersDeps,
  userId: string,
  limit: number,
  cursor?: OrderPosition,
): Promise<OrderPage> {
  return listOrderViews(deps.pool, userId, { limit, cursor });
}

export async function orderHistory(deps: OrdersDeps, orderId: string): Promise<RecordedOrderEvent[]> {
  const events = await readStream(deps.pool, orderId);
  if (events.length === 0) throw notFound(orderId);
  return events;
}

/** Checkouts that should have finished by now (the back office's anomaly rule), oldest first. */
export function overdueSagas(
  deps: OrdersDeps,
  olderThanSeconds: number,
  limit: number,
): Promise<{ total: number; sagas: OverdueSaga[] }> {
  return findOverdueSagas(deps.pool, olderThanSeconds, limit);
}
