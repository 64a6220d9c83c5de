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
    const updatedAt = await insertReservation(client, orderId, 'reserved', lines);
    return { orderId, status: 'reserved', lines, shortages: [], updatedAt };
  }
  const updatedAt = await insertReservation(client, orderId, 'rejected', lines, decision.shortages);
  return { orderId, status: 'rejected', lines, shortages: decision.shortages, updatedAt };
}

export async function releaseStockIn(client: PoolClient, orderId: string): Promise<Reservation> {
  validateOrderId(orderId);
  await lockOrder(client, orderId);
  const existing = await findReservation(client, orderId);
  if (!existing) {
    // Compensation arrived before the reservation: remember it, so a late reserve takes nothing.
    const updatedAt = await insertReservation(client, orderId, 'released', []);
    return { orderId, status: 'released', lines: [], shortages: [], updatedAt };
  }
  return movesStock(existing.status) ? finish(client, existing, 'release') : existing;
}

export async function commitStockIn(client: PoolClient, orderId: string): Promise<Reservation> {
  validateOrderId(orderId);
  await lockOrder(client, orderId);
  const existing = await findReservation(client, orderId);
  if (!existing) {
    throw new AppError('not_found', 'reservation-not-found', `no stock reservation for order ${orderId}`);
  }
  return movesStock(existing.status) ? finish(client, existing, 'commit') : existing;
}

/** Ends a held reservation: the units go back (release) or out of the shop (commit). */
async function finish(
  client: PoolClient,
  reservation: Reservation,
  movement: 'release' | 'commit',
): Promise<Reservation> {
  await lockStockRows(
    client,
    reservation.lines.map((line) => line.productId),
  );
  await applyStockMovement(client, movement, reservation.lines);
  const status = movement === 'release' ? 'released' : 'committed';
  const updatedAt = await setReservationStatus(client, reservation.orderId, status);
  return { ...reservation, status, updatedAt };
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
