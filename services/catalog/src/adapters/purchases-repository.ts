// Who bought what: recorded with the stock commit that names the buyer, or from order.completed.
import type { Queryable } from '@shopstack/kit';

export async function recordPurchases(
  db: Queryable,
  userId: string,
  orderId: string,
  productIds: readonly string[],
): Promise<number> {
  // DO NOTHING on a known purchase: that insert takes no transaction id, so a repeat is no write.
  const result = await db.query(
    `insert into purchases (user_id, product_id, order_id)
     select $1, product_id, $2 from unnest($3::uuid[]) as p(product_id)
     on conflict do nothing`,
    [userId, orderId, productIds],
  );
  return result.rowCount ?? 0;
}

export async function hasPurchased(db: Queryable, userId: string, productId: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from purchases where user_id = $1 and product_id = $2 limit 1', [
    userId,
    productId,
  ]);
  return rows.length > 0;
}
