// Saga commands to the catalog, written to the outbox in the transaction that moves the saga, so a
// command is sent if and only if the step that needs it committed. The catalog answers on our
// replies routing key with a `catalog.stock-reservation` message.
import { enqueueOutbox, type Queryable } from '@shopstack/kit';
import type { OrderLine } from '../domain/events.js';

export const STOCK_REPLY_TYPE = 'catalog.stock-reservation';

export interface StockReply {
  orderId: string;
  command: 'reserve-stock' | 'release-stock' | 'commit-stock';
  status: 'reserved' | 'rejected' | 'released' | 'committed';
  shortages: { productId: string; requested: number; available: number; reason: string }[];
}

export interface StockCommandRoute {
  exchange: string;
  /** Routing key (and queue) our replies come back on. */
  replyTo: string;
}

export function sendReserveStock(
  db: Queryable,
  route: StockCommandRoute,
  orderId: string,
  lines: readonly OrderLine[],
) {
  return send(db, route, 'catalog.reserve-stock', {
    orderId,
    lines: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
  });
}

export function sendReleaseStock(db: Queryable, route: StockCommandRoute, orderId: string) {
  return send(db, route, 'catalog.release-stock', { orderId });
}

export function sendCommitStock(db: Queryable, route: StockCommandRoute, orderId: string) {
  return send(db, route, 'catalog.commit-stock', { orderId });
}

function send(db: Queryable, route: StockCommandRoute, type: string, payload: Record<string, unknown>) {
  return enqueueOutbox(db, {
    exchange: route.exchange,
    routingKey: type,
    type,
    payload: { ...payload, replyTo: route.replyTo },
  });
}
