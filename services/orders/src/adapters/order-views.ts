// The order read model: one row per order, written by the projection in the same transaction as the
// events, so a read after a write sees it. It can be rebuilt from the event store at any time.
import { encodeCursor, type Queryable } from '@shopstack/kit';
import { z } from 'zod';
import { type OrderView, toOrderView } from '../app/views.js';
import type { Order } from '../domain/order.js';
import { fold } from '../domain/order.js';
import { readStream } from './event-store.js';

export async function projectOrder(db: Queryable, order: Order): Promise<void> {
  const view = toOrderView(order);
  await db.query(
    `insert into order_views (order_id, user_id, status, total_minor, currency, placed_at, updated_at, version, detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (order_id) do update set status = excluded.status, updated_at = excluded.updated_at,
       version = excluded.version, detail = excluded.detail
     where order_views.version < excluded.version`,
    [
      order.id,
      order.userId,
      order.status,
      view.totalMinor,
      order.currency,
      order.placedAt,
      order.updatedAt,
      order.version,
      view,
    ],
  );
}

export async function findOrderView(db: Queryable, orderId: string): Promise<OrderView | undefined> {
  const { rows } = await db.query<{ detail: OrderView }>(
    'select detail from order_views where order_id = $1',
    [orderId],
  );
  return rows[0]?.detail;
}

/** Where a page of a customer's orders ends: what the cursor of the next page holds. */
export const OrderPosition = z.object({ placedAt: z.iso.datetime(), orderId: z.uuid() });
export type OrderPosition = z.infer<typeof OrderPosition>;

export interface OrderPage {
  items: OrderView[];
  /** Opaque cursor for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A user's orders, newest first, by keyset pagination (stable while new orders arrive). */
export async function listOrderViews(
  db: Queryable,
  userId: string,
  options: { limit: number; cursor?: OrderPosition },
): Promise<OrderPage> {
  const { rows } = await db.query<{ detail: OrderView; placed_at: Date; order_id: string }>(
    `select detail, placed_at, order_id from order_views
      where user_id = $1 and ($2::timestamptz is null or (placed_at, order_id) < ($2::timestamptz, $3::uuid))
      order by placed_at desc, order_id desc limit $4`,
    [userId, options.cursor?.placedAt ?? null, options.cursor?.orderId ?? null, options.limit + 1],
  );
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > options.limit && last
      ? encodeCursor({ placedAt: last.placed_at.toISOString(), orderId: last.order_id })
      : null;
  return { items: items.map((row) => row.detail), nextCursor };
}

/** Orders in one status across all customers, oldest change first (for operators). */
export async function listOrderViewsByStatus(
  db: Queryable,
  status: OrderView['status'],
  limit: number,
): Promise<OrderView[]> {
  const { rows } = await db.query<{ detail: OrderView }>(
    'select detail from order_views where status = $1 order by updated_at, order_id limit $2',
    [status, limit],
  );
  return rows.map((row) => row.detail);
}

/** Replays every stream into the read model (after a projection change or to repair it). */
export async function rebuildOrderViews(db: Queryable): Promise<number> {
  await db.query('truncate order_views');
  const { rows } = await db.query<{ stream_id: string }>('select distinct stream_id from order_events');
  for (const { stream_id } of rows) {
    const order = fold(await readStream(db, stream_id));
    if (order) await projectOrder(db, order);
  }
  return rows.length;
}

/** Orders by status and cancel reason ('' when none), for the orders_orders gauge. */
export async function countOrderViews(
  db: Queryable,
): Promise<{ status: string; reason: string; count: number }[]> {
  const { rows } = await db.query<{ status: string; reason: string | null; count: string }>(
    `select status, detail->>'cancelReason' as reason, count(*) from order_views group by 1, 2`,
  );
  return rows.map((row) => ({ status: row.status, reason: row.reason ?? '', count: Number(row.count) }));
}
