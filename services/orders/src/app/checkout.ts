// Checkout: the cart, priced by the catalog now, becomes an event-sourced order, and its saga starts —
// all in one transaction that also empties the cart and puts the reserve-stock command in the outbox.
// The cart is taken (read and emptied) inside that transaction, so two checkouts of one cart place
// one order, and the second is refused as empty. The catalog is asked for prices before the
// transaction (no transaction waits on a remote call); a product added to the cart meanwhile makes
// the checkout price again. A repeated request with the same idempotency key returns the order the
// first one placed.
import { randomUUID } from 'node:crypto';
import { AppError, isUniqueViolation, type Queryable, withTransaction } from '@shopstack/kit';
import { type CartLineRow, readCart, takeCart } from '../adapters/cart-repository.js';
import type { PricedProduct } from '../adapters/catalog-client.js';
import { claimCheckoutKey, orderIdForCheckoutKey } from '../adapters/checkout-keys.js';
import { saveOrder } from '../adapters/order-repository.js';
import { findOrderView } from '../adapters/order-views.js';
import { insertSaga } from '../adapters/saga-store.js';
import { sendReserveStock } from '../adapters/stock-commands.js';
import type { OrderLine } from '../domain/events.js';
import { OrderRuleError, placeOrder } from '../domain/order.js';
import type { OrdersDeps } from './deps.js';
import { type OrderView, toOrderView } from './views.js';

const PRICING_ATTEMPTS = 3;

export async function checkout(
  deps: OrdersDeps,
  userId: string,
  idempotencyKey: string,
): Promise<{ order: OrderView; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const cart = await readCart(deps.pool, userId);
    if (cart.length === 0) return replayOrRefuse(deps, userId, idempotencyKey);
    const products = await priced(deps, cart);
    const outcome = await place(deps, userId, idempotencyKey, products).catch(async (error) => {
      // Two requests with one key raced: the loser returns the winner's order.
      if (!isUniqueViolation(error, 'checkouts_pkey')) throw error;
      return { replay: await findCheckout(deps.pool, userId, idempotencyKey) };
    });
    if ('order' in outcome) return { order: outcome.order, created: true };
    if ('replay' in outcome && outcome.replay) return { order: outcome.replay, created: false };
    if ('empty' in outcome) return replayOrRefuse(deps, userId, idempotencyKey);
    if (attempt >= PRICING_ATTEMPTS)
      throw new AppError('conflict', 'cart-changing', 'The cart keeps changing; try again', {
        retryAfterSeconds: 1,
      });
  }
}

type Placed = { order: OrderView } | { empty: true } | { unpriced: true };

async function place(
  deps: OrdersDeps,
  userId: string,
  idempotencyKey: string,
  products: Map<string, PricedProduct>,
): Promise<Placed> {
  const orderId = randomUUID();
  try {
    return await withTransaction(deps.pool, async (client) => {
      // First the key: a concurrent request with the same key waits here, then fails as a replay.
      await claimCheckoutKey(client, userId, idempotencyKey, orderId);
      const cart = await takeCart(client, userId);
      if (cart.length === 0) throw new Abort({ empty: true });
      if (cart.some((line) => !products.has(line.productId))) throw new Abort({ unpriced: true });
      const lines = orderLines(cart, products);
      const placed = await saveOrder(client, orderId, undefined, [placeOrder({ orderId, userId, lines })]);
      const { start } = deps.engine().definition;
      await insertSaga(client, placed, start, deps.engine().timing(start));
      await sendReserveStock(client, deps.stockRoute, orderId, lines);
      return { order: toOrderView(placed) };
    });
  } catch (error) {
    if (error instanceof Abort) return error.outcome;
    if (error instanceof OrderRuleError) throw new AppError('conflict', error.code, error.message);
    throw error;
  }
}

/** Rolls the checkout's transaction back (the cart stays as it is). */
class Abort extends Error {
  constructor(readonly outcome: Placed) {
    super('checkout aborted');
  }
}

async function priced(deps: OrdersDeps, cart: CartLineRow[]): Promise<Map<string, PricedProduct>> {
  const products = await deps.catalog.getProducts(cart.map((line) => line.productId));
  return new Map(products.map((product) => [product.productId, product]));
}

function orderLines(cart: CartLineRow[], products: Map<string, PricedProduct>): OrderLine[] {
  return cart.map((line) => {
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
    return {
      productId: line.productId,
      quantity: line.quantity,
      unitPriceMinor: product.unitPriceMinor,
      currency: product.currency,
      // Kept on the order (and told in order.completed) as it was at checkout, for the sales report.
      ...(product.categoryId ? { categoryId: product.categoryId } : {}),
      ...(product.categoryId && product.categoryName ? { categoryName: product.categoryName } : {}),
    };
  });
}

/** An empty cart: a replay of an earlier checkout gets its order, anything else is refused. */
async function replayOrRefuse(deps: OrdersDeps, userId: string, idempotencyKey: string) {
  const earlier = await findCheckout(deps.pool, userId, idempotencyKey);
  if (earlier) return { order: earlier, created: false };
  throw new AppError('conflict', 'cart-empty', 'The cart is empty');
}

async function findCheckout(db: Queryable, userId: string, key: string) {
  const orderId = await orderIdForCheckoutKey(db, userId, key);
  return orderId ? findOrderView(db, orderId) : undefined;
}
