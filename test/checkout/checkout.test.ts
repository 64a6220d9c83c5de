// Checkout end to end over HTTP, with users, catalog, payments and orders running as processes on the
// real PostgreSQL, FerretDB and RabbitMQ: register, top up, fill a cart, check out, see the outcome.
import assert from 'node:assert/strict';
import { waitFor } from '@shopstack/kit/testing';
import {
  balance,
  createProduct,
  placeOrder,
  type RunningShop,
  type Session,
  settled,
  signUp,
  startShopProcesses,
  stock,
  topUp,
} from './support/shop.js';

describe('checkout end to end', function () {
  this.timeout(180_000);
  let shop: RunningShop;
  let admin: Session;

  before(async () => {
    shop = await startShopProcesses();
    admin = await signUp(shop, 'admin');
  });
  after(async () => shop?.stop());

  const checkout = async (customer: Session, lines: [string, number][]) =>
    settled(shop, customer, await placeOrder(shop, customer, lines));

  it('confirms an order: stock and balance move', async () => {
    const kettle = await createProduct(shop, admin, 2_500, 10);
    const alice = await signUp(shop);
    await topUp(shop, alice, 10_000);
    const order = await checkout(alice, [[kettle, 3]]);
    assert.equal(order.status, 'confirmed');
    assert.equal(order.totalMinor, '7500');
    assert.deepEqual(await stock(shop, kettle), { onHand: 7, reserved: 0, available: 7 });
    const after = await balance(shop, alice);
    assert.equal(after.balance, '2500');
    assert.equal(after.held, '0');
    const mine = (await alice.call('GET', `${shop.orders.httpUrl}/api/orders`)).body;
    assert.deepEqual(
      mine.items.map((o: { orderId: string }) => o.orderId),
      [order.orderId],
    );
    // The catalog heard order.completed: alice bought the kettle (her right to review it).
    await waitFor(
      async () => {
        const { rows } = await shop.catalogQuery(
          'select 1 from purchases where order_id = $1 and user_id = $2',
          [order.orderId, alice.userId],
        );
        return rows.length === 1;
      },
      { what: 'purchase recorded by the catalog' },
    );
  });

  it('cancels for insufficient funds and releases the stock', async () => {
    const toaster = await createProduct(shop, admin, 4_000, 5);
    const bob = await signUp(shop);
    await topUp(shop, bob, 3_999);
    const order = await checkout(bob, [[toaster, 1]]);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'insufficient_funds');
    // The release travels to the catalog after the order is cancelled.
    await waitFor(async () => (await stock(shop, toaster)).reserved === 0, { what: 'stock released' });
    assert.deepEqual(await stock(shop, toaster), { onHand: 5, reserved: 0, available: 5 });
    const after = await balance(shop, bob);
    assert.equal(after.balance, '3999');
    assert.equal(after.held, '0');
  });

  it('cancels when out of stock and holds no money', async () => {
    const rare = await createProduct(shop, admin, 100, 1);
    const carol = await signUp(shop);
    await topUp(shop, carol, 1_000);
    const order = await checkout(carol, [[rare, 2]]);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'out_of_stock');
    assert.equal(order.progress.paymentHeld, false);
    const after = await balance(shop, carol);
    assert.equal(after.balance, '1000');
    assert.equal(after.held, '0');
    assert.deepEqual(await stock(shop, rare), { onHand: 1, reserved: 0, available: 1 });
  });

  it('keeps one customer out of another’s cart, orders and accounts', async () => {
    const lamp = await createProduct(shop, admin, 500, 5);
    const owner = await signUp(shop);
    const intruder = await signUp(shop);
    await topUp(shop, owner, 1_000);
    const order = await checkout(owner, [[lamp, 1]]);
    const account = (await balance(shop, owner)).id!;

    assert.equal(
      (await intruder.call('GET', `${shop.orders.httpUrl}/api/orders/${order.orderId}`)).status,
      404,
    );
    assert.equal(
      (await intruder.call('POST', `${shop.orders.httpUrl}/api/orders/${order.orderId}/cancel`)).status,
      404,
    );
    assert.deepEqual((await intruder.call('GET', `${shop.orders.httpUrl}/api/orders`)).body.items, []);
    assert.deepEqual((await intruder.call('GET', `${shop.orders.httpUrl}/api/orders/cart`)).body.lines, []);
    assert.equal(
      (await intruder.call('GET', `${shop.payments.httpUrl}/api/payments/accounts/${account}`)).status,
      404,
    );
    assert.equal(
      (await owner.call('GET', `${shop.orders.httpUrl}/api/orders/${order.orderId}`)).body.status,
      'confirmed',
    );
  });
});
