import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/process.js';
import { type Platform, platform } from './platform.js';

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON replies
  body: any;
}

describe('the platform end to end through the edge', function () {
  this.timeout(240_000);
  let shop: Platform;

  async function call(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    key?: string,
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (key) headers['idempotency-key'] = key;
    const response = await fetch(`${shop.edgeUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function signIn(account: { email: string; password: string }): Promise<string> {
    const login = await call('POST', '/api/users/login', undefined, account);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return login.body.accessToken;
  }

  async function balanceOf(token: string): Promise<string> {
    const accounts = await call('GET', '/api/payments/accounts', token);
    return accounts.body.accounts.find((a: { currency: string }) => a.currency === 'EUR')?.balance ?? '0';
  }

  before(async () => {
    shop = await platform();
  });

  after(async () => {
    await shop?.stop();
  });

  it('sells a product: sign-up, top-up, cart, checkout, confirmed, with stock and money moved', async () => {
    const adminToken = await signIn(shop.admin);
    const product = await call('POST', '/api/catalog/products', adminToken, {
      name: `E2E kettle ${randomUUID().slice(0, 8)}`,
      priceMinor: 2_250,
      currency: 'EUR',
      stockOnHand: 4,
    });
    assert.equal(product.status, 201, JSON.stringify(product.body));
    const productId = product.body.id as string;

    const customer = { email: `buyer.${randomUUID()}@example.test`, password: 'a kettle for the kitchen' };
    assert.equal((await call('POST', '/api/users/register', undefined, customer)).status, 201);
    const token = await signIn(customer);

    const topUp = await call(
      'POST',
      '/api/payments/topups',
      token,
      { currency: 'EUR', amount: 10_000, source: 'tok_ok' },
      randomUUID(),
    );
    assert.equal(topUp.status, 202, JSON.stringify(topUp.body));
    await eventually(async () => (await balanceOf(token)) === '10000', 60_000);

    const line = await call('POST', '/api/orders/cart/lines', token, { productId, quantity: 3 });
    assert.equal(line.status, 200, JSON.stringify(line.body));
    assert.equal(line.body.totals[0].totalMinor, '6750');

    const placed = await call('POST', '/api/orders/checkout', token, undefined, randomUUID());
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    const orderId = placed.body.orderId as string;

    const order = await eventually(async () => {
      const current = await call('GET', `/api/orders/${orderId}`, token);
      const settled =
        current.body.status === 'cancelled' ||
        (current.body.status === 'confirmed' && current.body.progress.stockCommitted);
      return settled ? current.body : undefined;
    }, 120_000);
    assert.equal(order.status, 'confirmed', `cancelled: ${order.cancelReason}`);
    assert.equal(await balanceOf(token), '3250');
    const stock = (await call('GET', `/api/catalog/products/${productId}`)).body.stock;
    assert.deepEqual(stock, { onHand: 1, reserved: 0, available: 1 });

    const mine = await call('GET', '/api/orders', token);
    assert.deepEqual(
      mine.body.items.map((o: { orderId: string }) => o.orderId),
      [orderId],
    );
  });

  it('refuses to check out, top up or look at orders without a token, at the edge', async () => {
    for (const [method, path] of [
      ['POST', '/api/orders/checkout'],
      ['POST', '/api/payments/topups'],
      ['GET', '/api/orders'],
    ] as const) {
      const reply = await fetch(`${shop.edgeUrl}${path}`, { method });
      assert.equal(reply.status, 401, `${method} ${path}`);
    }
  });
});
