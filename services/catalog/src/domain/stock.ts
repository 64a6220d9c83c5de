// Stock reservation rules, free of I/O. A reservation is decided from the locked stock rows of the
// products it names; the adapters apply the decision in the same transaction.
import { AppError } from '@shopstack/kit';

export const MAX_RESERVATION_LINES = 100;
export const MAX_LINE_QUANTITY = 10_000;

export type ReservationStatus = 'reserved' | 'rejected' | 'released' | 'committed';
export type ShortageReason = 'insufficient_stock' | 'product_not_found' | 'not_purchasable';

export interface StockLine {
  productId: string;
  quantity: number;
}

export interface Shortage {
  productId: string;
  requested: number;
  available: number;
  reason: ShortageReason;
}

/** What the reservation decision needs to know about a product, read under a row lock. */
export interface StockRow {
  productId: string;
  purchasable: boolean;
  onHand: number;
  reserved: number;
}

export interface Reservation {
  orderId: string;
  status: ReservationStatus;
  lines: StockLine[];
  shortages: Shortage[];
  updatedAt: Date;
}

export type ReservationDecision = { kind: 'reserve' } | { kind: 'reject'; shortages: Shortage[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9\-_.:]{0,127}$/;

export function available(row: Pick<StockRow, 'onHand' | 'reserved'>): number {
  return row.onHand - row.reserved;
}

// Inputs may come from JSON messages, not only typed gRPC requests: check types, not just shapes
// (a regex would happily accept `undefined` as the string "undefined").
export function validateOrderId(orderId: unknown, field = 'orderId'): asserts orderId is string {
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) {
    throw new AppError('invalid', 'validation', `${field} must be 1-128 letters, digits or -_.:`, {
      title: 'Request validation failed',
      fields: [{ field, message: 'must be 1-128 letters, digits or -_.:' }],
    });
  }
}

/**
 * Checks the lines of a reserve request and returns them sorted by product id (the order in which
 * rows are locked, so two reservations never deadlock).
 */
export function normalizeLines(lines: unknown, field = 'lines'): StockLine[] {
  const issues: { field: string; message: string }[] = [];
  if (!Array.isArray(lines)) {
    throw new AppError('invalid', 'validation', `invalid ${field}`, {
      title: 'Request validation failed',
      fields: [{ field, message: 'must be a list of lines' }],
    });
  }
  if (lines.length === 0) issues.push({ field, message: 'must have at least one line' });
  if (lines.length > MAX_RESERVATION_LINES)
    issues.push({ field, message: `must have at most ${MAX_RESERVATION_LINES} lines` });
  const seen = new Set<string>();
  lines.forEach((raw: unknown, index) => {
    const line = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<
      Record<keyof StockLine, unknown>
    >;
    if (typeof line.productId !== 'string' || !UUID.test(line.productId)) {
      issues.push({ field: `${field}.${index}.productId`, message: 'must be a UUID' });
    } else {
      const id = line.productId.toLowerCase();
      if (seen.has(id))
        issues.push({ field: `${field}.${index}.productId`, message: 'appears in more than one line' });
      seen.add(id);
    }
    if (
      typeof line.quantity !== 'number' ||
      !Number.isInteger(line.quantity) ||
      line.quantity < 1 ||
      line.quantity > MAX_LINE_QUANTITY
    )
      issues.push({
        field: `${field}.${index}.quantity`,
        message: `must be an integer from 1 to ${MAX_LINE_QUANTITY}`,
      });
  });
  if (issues.length > 0) {
    throw new AppError('invalid', 'validation', `invalid ${field}`, {
      title: 'Request validation failed',
      fields: issues,
    });
  }
  return (lines as StockLine[])
    .map((line) => ({ productId: line.productId.toLowerCase(), quantity: line.quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** All or nothing: every line must name a purchasable product with enough available stock. */
export function decideReservation(
  lines: readonly StockLine[],
  rows: readonly StockRow[],
): ReservationDecision {
  const byId = new Map(rows.map((row) => [row.productId, row]));
  const shortages: Shortage[] = [];
  for (const line of lines) {
    const row = byId.get(line.productId);
    if (!row) {
      shortages.push(shortage(line, 0, 'product_not_found'));
    } else if (!row.purchasable) {
      shortages.push(shortage(line, available(row), 'not_purchasable'));
    } else if (available(row) < line.quantity) {
      shortages.push(shortage(line, available(row), 'insufficient_stock'));
    }
  }
  return shortages.length === 0 ? { kind: 'reserve' } : { kind: 'reject', shortages };
}

function shortage(line: StockLine, availableUnits: number, reason: ShortageReason): Shortage {
  return { productId: line.productId, requested: line.quantity, available: availableUnits, reason };
}

/** A repeated reserve must ask for exactly what the first one asked for (both normalized). */
export function sameLines(a: readonly StockLine[], b: readonly StockLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, i) => line.productId === b[i]?.productId && line.quantity === b[i]?.quantity)
  );
}

/**
 * What a repeated reserve returns for an order that already has a reservation. A reservation that
 * was released before any reserve arrived has no lines: the late reserve is answered, not applied.
 */
export function checkRepeatedReserve(existing: Reservation, requested: readonly StockLine[]): Reservation {
  const releasedBeforeReserve = existing.status === 'released' && existing.lines.length === 0;
  if (!releasedBeforeReserve && !sameLines(existing.lines, requested)) {
    throw new AppError(
      'conflict',
      'reservation-mismatch',
      `order ${existing.orderId} was already reserved with different lines`,
      { title: 'Order id reused with different lines', fields: [{ field: 'lines', message: 'differ' }] },
    );
  }
  return existing;
}

/** Only a held reservation moves stock when released or committed; any other state is final. */
export function movesStock(status: ReservationStatus): boolean {
  return status === 'reserved';
}
