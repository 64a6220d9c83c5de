// Two ways money could go wrong around a checkout: a confirmed order whose hold is gone by the time
// it is captured (it must not stay unpaid forever), and one cart checked out twice at once (it must
// place one order).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpClient, waitFor } from '@shopstack/kit/testing';
import type { PaymentsPort } from '../../src/adapters/payments-client.js';
import { customer } from '../support/orders-api.js';
import { addProduct, balanceOf, fund, holdsOf, type Shop, startShop, stockOf } from '../support/shop.js';

describe('confirmed orders whose hold is gone, and carts checked out twice', function () {
  this.timeout(120_000);
  let shop: Shop;
  let realPayments: PaymentsPort;

  before(async () => {
    shop = await startShop();
    realPayments = shop.orders!.deps.payments;
  });
  afterEach(() => {
    shop.orders!.deps.payments = realPayments;
  });
  after(async () => shop?.close());

  /** Payments as orders sees it, except that `beforeCapture` runs (on the real payments) first. */
  function interceptCapture(beforeCapture: (holdId: string) => Promise<void>) {
    let done = false;
    shop.orders!.deps.payments = {
      ...realPayments,
      async captureHold(orderId, holdId) {
        if (!done) {
          done = true;
          await beforeCapture(holdId);
        }
        return realPayments.captureHold(orderId, holdId);
      },
    };
  }

  it('authorizes a voided hold once more and completes the order', async () => {
    const lamp = await addProduct(shop, { priceMinor: 400, stock: 5 });
    const kim = customer(shop, randomUUID());
    await fund(shop, kim.userId, 1_000n);
    await kim.addToCart(lamp, 1);
    // Someone voids the hold between confirmation and capture.
    interceptCapture(async (holdId) => void (await shop.payments.app.holds.void(holdId)));
    const order = await kim.settled((await kim.checkout()).orderId);

    assert.equal(order.status, 'confirmed');
    assert.equal(order.progress.paymentCaptured, true);
    assert.equal(order.progress.stockCommitted, true);
    const holds = (await holdsOf(shop, order.orderId)).map((hold) => hold.status).sort();
    assert.deepEqual(holds, ['captured', 'voided'], 'the first hold voided, a fresh one captured');
    assert.deepEqual(await balanceOf(shop, kim.userId), { balance: 600n, held: 0n }, 'paid once');
    assert.deepEqual(await stockOf(shop, lamp), { on_hand: 4, reserved: 0 });
  });

  it('ends payment_failed when the fresh authorization is declined: stock back, customer told, listed for a person', async () => {
    const rug = await addProduct(shop, { priceMinor: 700, stock: 3 });
    const lou = customer(shop, randomUUID());
    await fund(shop, lou.userId, 1_000n);
    await lou.addToCart(rug, 1);
    // The hold is voided and the money spent elsewhere before the capture: nothing can be held again.
    interceptCapture(async (holdId) => {
      await shop.payments.app.holds.void(holdId);
      await shop.payments.app.holds.authorize({
        idempotencyKey: randomUUID(),
        orderId: randomUUID(),
        userId: lou.userId,
        amount: 1_000n,
        currency: 'EUR',
      });
    });
    const { orderId } = await lou.checkout();
    const order = await lou.reaches(orderId, 'payment_failed');

    assert.equal(order.paymentFailure, 'insufficient_funds');
    assert.equal(order.progress.paymentCaptured, false);
    await waitFor(async () => (await stockOf(shop, rug)).reserved === 0, { what: 'stock released' });
    assert.deepEqual(await stockOf(shop, rug), { on_hand: 3, reserved: 0 });
    const { rows } = await shop.ordersPool.query<{ payload: { orderId: string; reason: string } }>(
      `select payload from kit_outbox where message_type = 'order.payment-failed'`,
    );
    assert.deepEqual(
      rows.map((row) => [row.payload.orderId, row.payload.reason]),
      [[orderId, 'insufficient_funds']],
      'one event tells the customer',
    );
    const { rows: sagas } = await shop.ordersPool.query(
      'select step from checkout_sagas where order_id = $1',
      [orderId],
    );
    assert.equal(sagas[0]?.step, 'done', 'nothing retries forever');

    const http = httpClient(shop.orders!.httpUrl);
    const admin = await shop.issuer.token(randomUUID(), 'admin');
    const list = await http('GET', '/api/orders/attention', { token: admin });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((item: { orderId: string }) => item.orderId),
      [orderId],
    );
    const asCustomer = await http('GET', '/api/orders/attention', {
      token: await shop.issuer.token(lou.userId),
    });
    assert.equal(asCustomer.status, 403);
  });

  it('places one order for a cart checked out several times at once, and refuses the rest as empty', async () => {
    const mug = await addProduct(shop, { priceMinor: 300, stock: 50 });
    const max = customer(shop, randomUUID());
    await fund(shop, max.userId, 10_000n);
    await max.addToCart(mug, 2);
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => max.call('POST', '/api/orders/checkout', { key: randomUUID() })),
    );
    const statuses = attempts.map((response) => response.status).sort();
    assert.deepEqual(statuses, [202, 409, 409, 409, 409]);
    for (const refused of attempts.filter((response) => response.status === 409))
      assert.equal(refused.body.type, 'https://shopstack.dev/problems/cart-empty');
    const placed = attempts.find((response) => response.status === 202)!;
    const order = await max.settled(placed.body.orderId);
    assert.equal(order.status, 'confirmed');
    const { rows } = await shop.ordersPool.query('select order_id from checkouts where user_id = $1', [
      max.userId,
    ]);
    assert.equal(rows.length, 1, 'one order placed');
    assert.deepEqual(await balanceOf(shop, max.userId), { balance: 9_400n, held: 0n }, 'charged once');

    // The emptied cart cannot be checked out again.
    const again = await max.call('POST', '/api/orders/checkout', { key: randomUUID() });
    assert.equal(again.status, 409);
    assert.equal(again.body.type, 'https://shopstack.dev/problems/cart-empty');
  });
});
