// Checkout: the cart, priced by the catalog now, becomes an event-sourced order, and its saga starts —
// all in one transaction with the reserve-stock command in the outbox. A repeated request with the
// same idempotency key returns the order the first one placed.
import { randomUUID } from 'node:crypto';
import { AppError, isUniqueViolation, type Queryable, withTransaction } from '@shopstack/kit';
import { clearCart, readCart } from '../adapters/cart-repository.js';
import { saveOrder } from '../adapters/order-repository.js';
import { findOrderView } from '../adapters/order-views.js';
import { insertSaga } from '../adapters/saga-store.js';
import { sendReserveStock } from '../adapters/stock-commands.js';
import type { OrderLine } from '../domain/events.js';
import { OrderRuleError, placeOrder } from '../domain/order.js';
import type { OrdersDeps } from './deps.js';
import type { OrderView } from './views.js';

export async function checkout(
  deps: OrdersDeps,
  userId: string,
  idempotencyKey: string,
): Promise<{ order: OrderView; created: boolean }> {
  const earlier = await findCheckout(deps.pool, userId, idempotencyKey);
  if (earlier) return { order: earlier, created: false };

  const cart = await readCart(deps.pool, userId);
  if (cart.length === 0) throw new AppError('conflict', 'cart-empty', 'The cart is empty');
  const products = new Map(
    (await deps.catalog.getProducts(cart.map((l) => l.productId))).map((p) => [p.productId, p]),
  );
  const lines: OrderLine[] = [];
  for (const line of cart) {
    const product = products.get(line.productId);
    if (!product?.purchasable)
      throw new AppError(
        'conflict',
        'product-not-purchasable',
        `Product ${line.productId} cannot be bought`,
        {
          fields: [{ field: 'productId', message: line.productId }],
        },
      );
    lines.push({
      productId: line.productId,
      quantity: line.quantity,
      unitPriceMinor: product.unitPriceMinor,
      currency: product.currency,
    });
  }

  const orderId = randomUUID();
  try {
    const order = await withTransaction(deps.pool, async (client) => {
      await client.query('insert into checkouts (user_id, idempotency_key, order_id) values ($1, $2, $3)', [
        userId,
        idempotencyKey,
        orderId,
      ]);
      const placed = await saveOrder(client, orderId, undefined, [placeOrder({ orderId, userId, lines })]);
      await insertSaga(client, orderId, 'reserve_stock', {
        nextAttemptInMs: deps.timeouts.reserveStockMs,
        deadlineInMs: deps.timeouts.reserveStockMs,
      });
      await sendReserveStock(client, deps.stockRoute, orderId, lines);
      await clearCart(client, userId);
      return placed;
    });
    return { order: (await findOrderView(deps.pool, order.id))!, created: true };
  } catch (error) {
    if (error instanceof OrderRuleError) throw new AppError('conflict', error.code, error.message);
    // Two requests with one key raced: the loser returns the winner's order.
    if (isUniqueViolation(error, 'checkouts_pkey')) {
      const winner = await findCheckout(deps.pool, userId, idempotencyKey);
      if (winner) return { order: winner, created: false };
    }
    throw error;
  }
}

async function findCheckout(db: Queryable, userId: string, key: string) {
  const { rows } = await db.query<{ order_id: string }>(
    'select order_id from checkouts where user_id = $1 and idempotency_key = $2',
    [userId, key],
  );
  return rows[0] ? findOrderView(db, rows[0].order_id) : undefined;
}
