// Calls to the orders HTTP API as a signed-in customer, and waiting for an order's outcome.
import { httpClient, waitFor } from '@shopstack/kit/testing';
import type { Shop } from './shop.js';

export function customer(shop: Shop, userId: string, baseUrl = () => shop.orders!.httpUrl) {
  const call = (...args: Parameters<ReturnType<typeof httpClient>>) => httpClient(baseUrl())(...args);
  let token: string | undefined;
  const auth = async () => {
    token ??= await shop.issuer.token(userId);
    return token;
  };
  return {
    userId,
    call: async (method: string, path: string, options: Parameters<ReturnType<typeof httpClient>>[2] = {}) =>
      call(method, path, { token: await auth(), ...options }),
    async addToCart(productId: string, quantity: number) {
      const response = await call('POST', '/api/orders/cart/lines', {
        token: await auth(),
        body: { productId, quantity },
        key: null,
      });
      if (response.status !== 200)
        throw new Error(`add to cart: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async checkout(key?: string) {
      const response = await call('POST', '/api/orders/checkout', {
        token: await auth(),
        ...(key ? { key } : {}),
      });
      if (response.status !== 202 && response.status !== 200)
        throw new Error(`checkout: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async order(orderId: string) {
      return (await call('GET', `/api/orders/${orderId}`, { token: await auth() })).body;
    },
    /** Polls until the order has the given status. */
    async reaches(orderId: string, status: string, timeoutMs = 30_000) {
      return waitFor(
        async () => {
          const order = (await call('GET', `/api/orders/${orderId}`, { token: await auth() })).body;
          return order?.status === status ? order : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `order ${orderId} to be ${status}` },
      );
    },
    /** Polls until the order is settled: confirmed with its stock committed, cancelled or refunded. */
    async settled(orderId: string, timeoutMs = 30_000) {
      return waitFor(
        async () => {
          const order = (await call('GET', `/api/orders/${orderId}`, { token: await auth() })).body;
          const done =
            (order?.status === 'confirmed' && order.progress.stockCommitted) ||
            order?.status === 'cancelled' ||
            order?.status === 'refunded';
          return done ? order : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `order ${orderId} to settle` },
      );
    },
  };
}

/** The saga row of an order, to see that compensation finished. */
export async function sagaStep(shop: Shop, orderId: string): Promise<string | undefined> {
  const { rows } = await shop.ordersPool.query<{ step: string }>(
    'select step from checkout_sagas where order_id = $1',
    [orderId],
  );
  return rows[0]?.step;
}
