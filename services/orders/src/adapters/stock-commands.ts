// Saga commands to the catalog, written to the outbox in the transaction that moves the saga, so a
// command is sent if and only if the step that needs it committed. Their shapes, and the reply's,
// are the contracts in @shopstack/proto/messages; the catalog answers on our replies routing key.
import { enqueueOutbox, type OutgoingMessage, type Queryable } from '@shopstack/kit';
import { commitStock, type MessageContract, releaseStock, reserveStock } from '@shopstack/proto/messages';
import type { z } from 'zod';
import type { OrderLine } from '../domain/events.js';

export interface StockCommandRoute {
  exchange: string;
  /** Routing key (and queue) our replies come back on. */
  replyTo: string;
}

export function reserveStockCommand(route: StockCommandRoute, orderId: string, lines: readonly OrderLine[]) {
  return command(route, reserveStock, {
    orderId,
    replyTo: route.replyTo,
    lines: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
  });
}

export function releaseStockCommand(route: StockCommandRoute, orderId: string) {
  return command(route, releaseStock, { orderId, replyTo: route.replyTo });
}

/** The buyer goes with the commit: the catalog records the purchase in the same transaction. */
export function commitStockCommand(route: StockCommandRoute, orderId: string, userId: string) {
  return command(route, commitStock, { orderId, replyTo: route.replyTo, userId });
}

export function sendReserveStock(
  db: Queryable,
  route: StockCommandRoute,
  orderId: string,
  lines: readonly OrderLine[],
) {
  return enqueueOutbox(db, reserveStockCommand(route, orderId, lines));
}

export function sendReleaseStock(db: Queryable, route: StockCommandRoute, orderId: string) {
  return enqueueOutbox(db, releaseStockCommand(route, orderId));
}

export function sendCommitStock(db: Queryable, route: StockCommandRoute, orderId: string, userId: string) {
  return enqueueOutbox(db, commitStockCommand(route, orderId, userId));
}

function command<S extends z.ZodType>(
  route: StockCommandRoute,
  contract: MessageContract<S>,
  payload: z.input<S>,
): OutgoingMessage {
  return {
    exchange: route.exchange,
    routingKey: contract.type,
    type: contract.type,
    payload: contract.encode(payload),
  };
}
