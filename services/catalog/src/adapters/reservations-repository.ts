// Stock reservations in PostgreSQL. Callers hold the order's advisory lock (see lockOrder) for the
// whole transaction, so two calls for the same order never interleave; product rows are locked in
// product id order, so two orders never deadlock.
import type { Queryable } from '@shopstack/kit';
import type { Reservation, ReservationStatus, Shortage, StockLine, StockRow } from '../domain/stock.js';

/** Serializes every stock call of one order until the transaction ends. */
export async function lockOrder(db: Queryable, orderId: string): Promise<void> {
  await db.query("select pg_advisory_xact_lock(hashtextextended('catalog.reservation:' || $1, 0))", [
    orderId,
  ]);
}

interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  shortages: Shortage[];
  updated_at: Date;
  lines: StockLine[] | null;
}

export async function findReservation(db: Queryable, orderId: string): Promise<Reservation | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `select r.order_id, r.status, r.shortages, r.updated_at,
            (select json_agg(json_build_object('productId', l.product_id, 'quantity', l.quantity)
                             order by l.product_id)
               from stock_reservation_lines l where l.order_id = r.order_id) as lines
       from stock_reservations r where r.order_id = $1`,
    [orderId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    orderId: row.order_id,
    status: row.status,
    lines: row.lines ?? [],
    shortages: row.shortages,
    updatedAt: row.updated_at,
  };
}

/** Locks the stock rows of these products (sorted ids) and reads them. */
export async function lockStockRows(db: Queryable, productIds: readonly string[]): Promise<StockRow[]> {
  const { rows } = await db.query<{
    id: string;
    status: string;
    stock_on_hand: number;
    stock_reserved: number;
  }>(
    `select id, status, stock_on_hand, stock_reserved from products
      where id = any($1::uuid[]) order by id for update`,
    [productIds],
  );
  return rows.map((row) => ({
    productId: row.id,
    purchasable: row.status === 'active',
    onHand: row.stock_on_hand,
    reserved: row.stock_reserved,
  }));
}

/** Inserts the reservation and its lines in one statement; answers the time it was recorded. */
export async function insertReservation(
  db: Queryable,
  orderId: string,
  status: ReservationStatus,
  lines: readonly StockLine[],
  shortages: readonly Shortage[] = [],
): Promise<Date> {
  const { rows } = await db.query<{ updated_at: Date }>(
    `with reservation as (
       insert into stock_reservations (order_id, status, shortages) values ($1, $2, $3) returning updated_at
     ), inserted_lines as (
       insert into stock_reservation_lines (order_id, product_id, quantity)
       select $1, product_id, quantity from unnest($4::uuid[], $5::int[]) as l(product_id, quantity)
     )
     select updated_at from reservation`,
    [
      orderId,
      status,
      JSON.stringify(shortages),
      lines.map((line) => line.productId),
      lines.map((line) => line.quantity),
    ],
  );
  return rows[0]!.updated_at;
}

export async function setReservationStatus(
  db: Queryable,
  orderId: string,
  status: ReservationStatus,
): Promise<Date> {
  const { rows } = await db.query<{ updated_at: Date }>(
    'update stock_reservations set status = $2, updated_at = now() where order_id = $1 returning updated_at',
    [orderId, status],
  );
  return rows[0]!.updated_at;
}

/**
 * Moves stock for the lines of an order: `reserve` holds units, `release` gives them back, `commit`
 * turns held units into sold ones. The table's CHECKs reject anything that would oversell.
 */
export async function applyStockMovement(
  db: Queryable,
  movement: 'reserve' | 'release' | 'commit',
  lines: readonly StockLine[],
): Promise<void> {
  const set = {
    reserve: 'stock_reserved = p.stock_reserved + l.quantity',
    release: 'stock_reserved = p.stock_reserved - l.quantity',
    commit: 'stock_reserved = p.stock_reserved - l.quantity, stock_on_hand = p.stock_on_hand - l.quantity',
  }[movement];
  await db.query(
    `update products p set ${set}, updated_at = now()
       from unnest($1::uuid[], $2::int[]) as l(product_id, quantity)
      where p.id = l.product_id`,
    [lines.map((line) => line.productId), lines.map((line) => line.quantity)],
  );
}
