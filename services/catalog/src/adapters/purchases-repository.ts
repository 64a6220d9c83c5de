// Who bought what, learned from order.completed events.
import type { Queryable } from '@shopstack/kit';

export async function recordPurchases(
  db: Queryable,
  userId: string,
  orderId: string,
  productIds: readonly string[],
): Promise<void> {
  await db.query(
    `insert into purchases (user_id, product_id, order_id)
     select $1, product_id, $2 from unnest($3::uuid[]) as p(product_id)
     on conflict do nothing`,
    [userId, orderId, productIds],
  );
}

export async function hasPurchased(db: Queryable, userId: string, productId: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from purchases where user_id = $1 and product_id = $2 limit 1', [
    userId,
    productId,
  ]);
  return rows.length > 0;
}
