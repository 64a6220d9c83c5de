// The orders process is SIGKILLed in the middle of its checkouts and started again: every order
// still reaches a terminal state, and stock and money add up.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@shopstack/kit/testing';
import { customer } from '../support/orders-api.js';
import { type OrdersProcess, spawnOrders } from '../support/process.js';
import { addProduct, balanceOf, fund, type Shop, startShop, stockOf } from '../support/shop.js';

describe('orders killed mid-saga', function () {
  this.timeout(180_000);
  let shop: Shop;
  let orders: OrdersProcess | undefined;

  before(async () => {
    shop = await startShop({}, { inProcessOrders: false });
  });
  after(async () => {
    await orders?.kill();
    await shop?.close();
  });

  it('resumes every unfinished saga after a restart', async () => {
    orders = await spawnOrders(shop.ordersEnv);
    const baseUrl = () => orders!.httpUrl;
    const product = await addProduct(shop, { priceMinor: 500, stock: 100 });
    const rich = Array.from({ length: 5 }, () => customer(shop, randomUUID(), baseUrl));
    const poor = customer(shop, randomUUID(), baseUrl);
    for (const buyer of rich) await fund(shop, buyer.userId, 5_000n);
    await fund(shop, poor.userId, 100n);

    // Checkouts wait at the catalog, then it starts answering and the sagas are mid-flight.
    await shop.stopStockConsumer();
    const placed: { buyer: ReturnType<typeof customer>; orderId: string }[] = [];
    for (const buyer of [...rich, poor]) {
      await buyer.addToCart(product, 2);
      placed.push({ buyer, orderId: (await buyer.checkout()).orderId });
    }
    await shop.startStockConsumer();
    await waitFor(async () => (await stepCounts(shop)).get('reserve_stock') !== placed.length, {
      what: 'sagas in flight',
    });
    await orders.kill();
    const atCrash = await stepCounts(shop);
    const unfinished = [...atCrash]
      .filter(([step]) => step !== 'done')
      .reduce((n, [, count]) => n + count, 0);
    assert.ok(unfinished > 0, `the crash must interrupt sagas (steps: ${JSON.stringify([...atCrash])})`);

    orders = await spawnOrders(shop.ordersEnv);
    const outcomes = [];
    for (const { buyer, orderId } of placed) outcomes.push(await buyer.settled(orderId, 60_000));
    await waitFor(async () => (await stepCounts(shop)).size === 1 && (await stepCounts(shop)).has('done'), {
      timeoutMs: 60_000,
      what: 'every saga done',
    });

    assert.deepEqual(
      outcomes.map((order) => order.status),
      ['confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'cancelled'],
    );
    assert.equal(outcomes[5].cancelReason, 'insufficient_funds');
    assert.deepEqual(await stockOf(shop, product), { on_hand: 90, reserved: 0 });
    for (const buyer of rich)
      assert.deepEqual(await balanceOf(shop, buyer.userId), { balance: 4_000n, held: 0n });
    assert.deepEqual(await balanceOf(shop, poor.userId), { balance: 100n, held: 0n });
    const { rows } = await shop.ordersPool.query<{ count: string }>(
      `select count(*) from kit_outbox where message_type = 'order.completed'`,
    );
    assert.equal(Number(rows[0]!.count), 5, 'one order.completed per completed checkout');
  });
});

async function stepCounts(shop: Shop): Promise<Map<string, number>> {
  const { rows } = await shop.ordersPool.query<{ step: string; count: string }>(
    'select step, count(*) from checkout_sagas group by step',
  );
  return new Map(rows.map((row) => [row.step, Number(row.count)]));
}
