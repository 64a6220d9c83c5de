// Stock through the checkout saga: reserve, release, commit. Each is one transaction, serialized per
// order id, and idempotent: a repeated call returns the reservation as it stands.
//
// The `...In` variants run inside a transaction the caller owns (e.g. a message consumer's inbox
// transaction), so the effect and the "handled" mark commit together. The others open their own.
import { AppError, type PoolClient, withTransaction } from '@shopstack/kit';
import {
  applyStockMovement,
  findReservation,
  insertReservation,
  lockOrder,
  lockStockRows,
  setReservationStatus,
} from '../adapters/reservations-repository.js';
import {
  checkRepeatedReserve,
  decideReservation,
  movesStock,
  normalizeLines,
  type Reservation,
  type StockLine,
  validateOrderId,
} from '../domain/stock.js';
import type { CatalogDeps } from './deps.js';
import type { StockOperation } from './metrics.js';

export async function reserveStockIn(
  client: PoolClient,
  orderId: string,
  requestedLines: readonly StockLine[],
): Promise<Reservation> {
  validateOrderId(orderId);
  const lines = normalizeLines(requestedLines);
  await lockOrder(client, orderId);
  const existing = await findReservation(client, orderId);
  if (existing) return checkRepeatedReserve(existing, lines);

  const rows = await lockStockRows(
    client,
    lines.map((line) => line.productId),
  );
  const decision = decideReservation(lines, rows);
  if (decision.kind === 'reserve') {
    await applyStockMovement(client, 'reserve', lines);
    await insertReservation(client, orderId, 'reserved', lines);
  } else {
    await insertReservation(client, orderId, 'rejected', lines, decision.shortages);
  }
  return (await findReservation(client, orderId))!;
}

export async function releaseStockIn(client: PoolClient, orderId: string): Promise<Reservation> {
  validateOrderId(orderId);
  await lockOrder(client, orderId);
  const existing = await findReservation(client, orderId);
  if (!existing) {
    // Compensation arrived before the reservation: remember it, so a late reserve takes nothing.
    await insertReservation(client, orderId, 'released', []);
  } else if (movesStock(existing.status)) {
    await lockStockRows(
      client,
      existing.lines.map((line) => line.productId),
    );
    await applyStockMovement(client, 'release', existing.lines);
    await setReservationStatus(client, orderId, 'released');
  }
  return (await findReservation(client, orderId))!;
}

export async function commitStockIn(client: PoolClient, orderId: string): Promise<Reservation> {
  validateOrderId(orderId);
  await lockOrder(client, orderId);
  const existing = await findReservation(client, orderId);
  if (!existing) {
    throw new AppError('not_found', 'reservation-not-found', `no stock reservation for order ${orderId}`);
  }
  if (movesStock(existing.status)) {
    await lockStockRows(
      client,
      existing.lines.map((line) => line.productId),
    );
    await applyStockMovement(client, 'commit', existing.lines);
    await setReservationStatus(client, orderId, 'committed');
  }
  return (await findReservation(client, orderId))!;
}

/** Counted after the transaction committed, so a rolled-back call is never counted. */
async function counted(deps: CatalogDeps, operation: StockOperation, work: Promise<Reservation>) {
  const reservation = await work;
  deps.metrics.stockCall(operation, reservation.status);
  return reservation;
}

export function reserveStock(deps: CatalogDeps, orderId: string, lines: readonly StockLine[]) {
  return counted(
    deps,
    'reserve',
    withTransaction(deps.pool, (client) => reserveStockIn(client, orderId, lines)),
  );
}

export function releaseStock(deps: CatalogDeps, orderId: string) {
  return counted(
    deps,
    'release',
    withTransaction(deps.pool, (client) => releaseStockIn(client, orderId)),
  );
}

export function commitStock(deps: CatalogDeps, orderId: string) {
  return counted(
    deps,
    'commit',
    withTransaction(deps.pool, (client) => commitStockIn(client, orderId)),
  );
}

export async function getReservation(deps: CatalogDeps, orderId: string): Promise<Reservation> {
  validateOrderId(orderId);
  const reservation = await findReservation(deps.pool, orderId);
  if (!reservation)
    throw new AppError('not_found', 'reservation-not-found', `no stock reservation for order ${orderId}`);
  return reservation;
}
