// Cart lines per user. Only the product and the quantity are stored; prices are the catalog's.
import type { Queryable } from '@shopstack/kit';

export interface CartLineRow {
  productId: string;
  quantity: number;
}

export async function readCart(db: Queryable, userId: string): Promise<CartLineRow[]> {
  const { rows } = await db.query<{ product_id: string; quantity: number }>(
    'select product_id, quantity from cart_lines where user_id = $1 order by added_at, product_id',
    [userId],
  );
  return rows.map((row) => ({ productId: row.product_id, quantity: row.quantity }));
}

/**
 * Adds to the line's quantity (creating it) unless the line would exceed `maxQuantity`; returns the
 * new quantity, or undefined when nothing changed because of the limit. One statement, so a refused
 * add never leaves a trace.
 */
export async function addToCart(
  db: Queryable,
  userId: string,
  productId: string,
  quantity: number,
  maxQuantity: number,
): Promise<number | undefined> {
  const { rows } = await db.query<{ quantity: number }>(
    `insert into cart_lines (user_id, product_id, quantity) values ($1, $2, $3)
     on conflict (user_id, product_id) do update set quantity = cart_lines.quantity + excluded.quantity
       where cart_lines.quantity + excluded.quantity <= $4
     returning quantity`,
    [userId, productId, quantity, maxQuantity],
  );
  return rows[0]?.quantity;
}

/**
 * Sets the line's quantity, creating the line: the same request twice leaves the same cart, so a
 * client may send it again when its answer was lost.
 */
export async function setCartQuantity(db: Queryable, userId: string, productId: string, quantity: number) {
  await db.query(
    `insert into cart_lines (user_id, product_id, quantity) values ($1, $2, $3)
     on conflict (user_id, product_id) do update set quantity = excluded.quantity`,
    [userId, productId, quantity],
  );
}

export async function removeFromCart(db: Queryable, userId: string, productId: string): Promise<boolean> {
  const result = await db.query('delete from cart_lines where user_id = $1 and product_id = $2', [
    userId,
    productId,
  ]);
  return result.rowCount === 1;
}

/**
 * Empties the cart and returns what it held, in one statement: its rows are locked and gone at once,
 * so a second checkout of the same cart (which waits for the first to commit) finds it empty.
 */
export async function takeCart(db: Queryable, userId: string): Promise<CartLineRow[]> {
  const { rows } = await db.query<{ product_id: string; quantity: number; added_at: Date }>(
    'delete from cart_lines where user_id = $1 returning product_id, quantity, added_at',
    [userId],
  );
  return rows
    .sort((a, b) => a.added_at.getTime() - b.added_at.getTime() || a.product_id.localeCompare(b.product_id))
    .map((row) => ({ productId: row.product_id, quantity: row.quantity }));
}
