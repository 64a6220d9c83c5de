// The checkout saga when parts fail: a catalog that never answers, payments that are down (breaker
// opens, the step times out, the saga compensates and voids the hold once payments is back).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@shopstack/kit/testing';
import { customer, sagaStep } from '../support/orders-api.js';
import { addProduct, balanceOf, fund, holdsOf, type Shop, startShop, stockOf } from '../support/shop.js';

describe('checkout saga under failures', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async () => {
    // Short step timeouts: these tests are about them. Payments' address is fixed so it can come back.
    shop = await startShop({
      RESERVE_STOCK_TIMEOUT_MS: '2000',
      HOLD_FUNDS_TIMEOUT_MS: '3000',
      GRPC_DEADLINE_MS: '500',
      BREAKER_RESET_MS: '1000',
    });
  });
  after(async () => shop?.close());

  it('times out a reservation the catalog never answers, and the late reservation takes no stock', async () => {
    const desk = await addProduct(shop, { priceMinor: 100, stock: 2 });
    const gina = customer(shop, randomUUID());
    await fund(shop, gina.userId, 1_000n);
    await gina.addToCart(desk, 2);
    await shop.stopStockConsumer();
    const order = await gina.settled((await gina.checkout()).orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'stock_timeout');
    assert.equal(await sagaStep(shop, order.orderId), 'done');

    // The catalog comes back and finds reserve and release queued: nothing stays reserved.
    await shop.startStockConsumer();
    await waitFor(async () => (await reservationStatus(shop, order.orderId)) === 'released', {
      what: 'reservation released',
    });
    assert.deepEqual(await stockOf(shop, desk), { on_hand: 2, reserved: 0 });
    assert.deepEqual(await holdsOf(shop, order.orderId), [], 'no hold was placed');
  });

  it('opens the breaker when payments is down, compensates on timeout, and voids once payments returns', async () => {
    const chair = await addProduct(shop, { priceMinor: 700, stock: 3 });
    const hugo = customer(shop, randomUUID());
    await fund(shop, hugo.userId, 1_000n);
    await hugo.addToCart(chair, 1);
    await shop.stopPayments();

    const breaker = shop.orders!.deps.payments.breaker;
    let opened = false;
    breaker.on('open', () => {
      opened = true;
    });
    const order = await hugo.settled((await hugo.checkout()).orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'payment_timeout');
    assert.equal(order.progress.paymentHeld, false);
    assert.equal(opened, true, 'the payments breaker opened');
    await waitFor(async () => (await stockOf(shop, chair)).reserved === 0, { what: 'stock released' });
    assert.deepEqual(await stockOf(shop, chair), { on_hand: 3, reserved: 0 });
    assert.equal(await sagaStep(shop, order.orderId), 'void_hold', 'the void waits for payments');
    // Failed attempts are recorded and backed off, not retried in a tight loop.
    await waitFor(
      async () => {
        const { rows } = await shop.ordersPool.query<{ attempts: number; last_error: string | null }>(
          'select attempts, last_error from checkout_sagas where order_id = $1',
          [order.orderId],
        );
        return (rows[0]?.attempts ?? 0) >= 1 && rows[0]?.last_error?.includes('UNAVAILABLE');
      },
      { what: 'a recorded void failure' },
    );

    // Payments is back on its address: the saga makes sure no hold outlives the cancelled order.
    await shop.startPayments();
    await waitFor(async () => (await sagaStep(shop, order.orderId)) === 'done', {
      timeoutMs: 60_000,
      what: 'void done',
    }).catch(async (error) => {
      const { rows } = await shop.ordersPool.query('select * from checkout_sagas where order_id = $1', [
        order.orderId,
      ]);
      throw new Error(`${error.message}: ${JSON.stringify(rows)}`);
    });
    const holds = await holdsOf(shop, order.orderId);
    assert.ok(
      holds.every((hold) => hold.status === 'voided'),
      `holds: ${JSON.stringify(holds)}`,
    );
    assert.deepEqual(await balanceOf(shop, hugo.userId), { balance: 1_000n, held: 0n });
  });

  it('answers 503 problem+json, quickly, while the catalog is down', async () => {
    const vase = await addProduct(shop, { priceMinor: 900, stock: 1 });
    const ines = customer(shop, randomUUID());
    await ines.addToCart(vase, 1);
    await shop.catalog.close(); // the last test of this suite: the catalog stays down
    const cart = await ines.call('GET', '/api/orders/cart');
    assert.equal(cart.status, 503);
    assert.ok(cart.type.startsWith('application/problem+json'));
    assert.equal(cart.body.type, 'https://shopstack.dev/problems/catalog-unavailable');
    const checkout = await ines.call('POST', '/api/orders/checkout');
    assert.equal(checkout.status, 503);
    const { rows } = await shop.ordersPool.query('select 1 from checkouts where user_id = $1', [ines.userId]);
    assert.equal(rows.length, 0, 'nothing was placed');
  });
});

async function reservationStatus(shop: Shop, orderId: string): Promise<string | undefined> {
  const { rows } = await shop.catalog.deps.pool.query<{ status: string }>(
    'select status from stock_reservations where order_id = $1',
    [orderId],
  );
  return rows[0]?.status;
}
