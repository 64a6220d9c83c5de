// The checkouts table: which order a customer's idempotency key placed, so a repeated checkout
// request answers with the first order instead of placing a second one.
import type { Queryable } from '@shopstack/kit';

/** Claims the key; a concurrent request with the same key waits on it, then fails as a unique violation. */
export async function claimCheckoutKey(
  db: Queryable,
  userId: string,
  key: string,
  orderId: string,
): Promise<void> {
  await db.query('insert into checkouts (user_id, idempotency_key, order_id) values ($1, $2, $3)', [
    userId,
    key,
    orderId,
  ]);
}

export async function orderIdForCheckoutKey(
  db: Queryable,
  userId: string,
  key: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ order_id: string }>(
    'select order_id from checkouts where user_id = $1 and idempotency_key = $2',
    [userId, key],
  );
  return rows[0]?.order_id;
}
