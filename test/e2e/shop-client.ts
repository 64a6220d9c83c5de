// A customer's and an admin's view of a shop through its edge, as a browser or app would call it:
// shared by the end-to-end suite (processes behind a real Envoy) and the cluster suite (the shop in
// real pods), so both walk the same checkout.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/process.js';
import { callEdge, type EdgeReply } from './platform.js';

export interface Account {
  email: string;
  password: string;
}

export function shopClient(edgeUrl: string) {
  const call = (method: string, path: string, token?: string, body?: unknown, key?: string) =>
    callEdge(edgeUrl, method, path, token, body, key);

  async function signIn(account: Account): Promise<string> {
    const login = await call('POST', '/api/users/login', undefined, account);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return login.body.accessToken;
  }

  async function balanceOf(token: string): Promise<string> {
    const accounts = await call('GET', '/api/payments/accounts', token);
    return accounts.body.accounts.find((a: { currency: string }) => a.currency === 'EUR')?.balance ?? '0';
  }

  /** A new customer, signed in, with `amount` EUR minor units topped up by a sandbox card. */
  async function fundedCustomer(amount: number): Promise<{ account: Account; token: string }> {
    const account = { email: `buyer.${randomUUID()}@example.test`, password: 'a kettle for the kitchen' };
    const registered = await call('POST', '/api/users/register', undefined, account);
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const token = await signIn(account);
    const topUp = await call(
      'POST',
      '/api/payments/topups',
      token,
      { currency: 'EUR', amount, source: 'tok_ok' },
      randomUUID(),
    );
    assert.equal(topUp.status, 202, JSON.stringify(topUp.body));
    await eventually(async () => (await balanceOf(token)) === String(amount), 60_000);
    return { account, token };
  }

  async function addProduct(adminToken: string, priceMinor: number, stockOnHand: number): Promise<string> {
    const product = await call('POST', '/api/catalog/products', adminToken, {
      name: `E2E kettle ${randomUUID().slice(0, 8)}`,
      priceMinor,
      currency: 'EUR',
      stockOnHand,
    });
    assert.equal(product.status, 201, JSON.stringify(product.body));
    return product.body.id as string;
  }

  /** The order once it has ended: cancelled, or confirmed with its stock committed. */
  // biome-ignore lint/suspicious/noExplicitAny: the order as the API returns it
  async function settled(token: string, orderId: string, timeoutMs = 120_000): Promise<any> {
    return eventually(async () => {
      const current = await call('GET', `/api/orders/${orderId}`, token);
      const ended =
        current.body?.status === 'cancelled' ||
        (current.body?.status === 'confirmed' && current.body.progress.stockCommitted);
      return ended ? current.body : undefined;
    }, timeoutMs);
  }

  /**
   * The whole sale: an admin adds a product, a new customer tops up, fills the cart and checks out;
   * the order is confirmed, and money and stock moved by exactly the order's total.
   */
  async function sellAProduct(
    admin: Account,
  ): Promise<{ orderId: string; customer: Account; reply: EdgeReply }> {
    const adminToken = await signIn(admin);
    const productId = await addProduct(adminToken, 2_250, 4);
    const { account: customer, token } = await fundedCustomer(10_000);

    const line = await call('POST', '/api/orders/cart/lines', token, { productId, quantity: 3 });
    assert.equal(line.status, 200, JSON.stringify(line.body));
    assert.equal(line.body.totals[0].totalMinor, '6750');

    const placed = await call('POST', '/api/orders/checkout', token, undefined, randomUUID());
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    const orderId = placed.body.orderId as string;

    const order = await settled(token, orderId);
    assert.equal(order.status, 'confirmed', `cancelled: ${order.cancelReason}`);
    assert.equal(await balanceOf(token), '3250');
    const stock = (await call('GET', `/api/catalog/products/${productId}`)).body.stock;
    assert.deepEqual(stock, { onHand: 1, reserved: 0, available: 1 });

    const mine = await call('GET', '/api/orders', token);
    assert.deepEqual(
      mine.body.items.map((o: { orderId: string }) => o.orderId),
      [orderId],
    );
    return { orderId, customer, reply: placed };
  }

  return { call, signIn, balanceOf, fundedCustomer, addProduct, settled, sellAProduct };
}

export type ShopClient = ReturnType<typeof shopClient>;
