// Orders as several real processes on one database: a process SIGKILLed while it holds a step's
// lease (its payments call in flight) leaves the step to another, which finishes the order exactly
// once; and two processes under load share the work, each order confirmed once, none stuck.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { waitFor } from '@shopstack/kit/testing';
import { customer } from '../support/orders-api.js';
import { type OrdersProcess, spawnOrders } from '../support/process.js';
import { addProduct, balanceOf, fund, holdsOf, type Shop, startShop, stockOf } from '../support/shop.js';

describe('orders as several processes', function () {
  this.timeout(180_000);
  let shop: Shop;
  const processes: OrdersProcess[] = [];
  let silent: Server | undefined;
  const sockets = new Set<Socket>();

  before(async () => {
    // Generous step deadlines: this suite is about sharing and taking over work, not about timeouts,
    // and a loaded machine must not turn a slow hold into a cancelled order.
    shop = await startShop(
      { SAGA_LEASE_MS: '3000', HOLD_FUNDS_TIMEOUT_MS: '120000', RESERVE_STOCK_TIMEOUT_MS: '120000' },
      { inProcessOrders: false },
    );
  });
  after(async () => {
    for (const orders of processes) await orders.kill();
    for (const socket of sockets) socket.destroy();
    silent?.close();
    await shop?.close();
  });

  async function spawn(env: Record<string, string> = {}) {
    const orders = await spawnOrders({ ...shop.ordersEnv, ...env });
    processes.push(orders);
    return orders;
  }

  it('takes over the step of a worker killed while holding its lease, and ends the order once', async () => {
    // A payments address that accepts connections and never answers: the call hangs, lease held.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    // Its calls hang for 8 s (the lease is a second longer); it is killed long before that.
    const doomed = await spawn({ PAYMENTS_GRPC_ADDRESS: `127.0.0.1:${port}`, GRPC_DEADLINE_MS: '8000' });

    const desk = await addProduct(shop, { priceMinor: 800, stock: 4 });
    const ada = customer(shop, randomUUID(), () => doomed.httpUrl);
    await fund(shop, ada.userId, 2_000n);
    await ada.addToCart(desk, 1);
    const { orderId } = await ada.checkout();
    const lease = await waitFor(
      async () => {
        const { rows } = await shop.ordersPool.query<{ step: string; lease_owner: string | null }>(
          `select step, lease_owner from checkout_sagas where order_id = $1 and lease_until > now()`,
          [orderId],
        );
        return rows[0]?.step === 'hold_funds' ? rows[0] : undefined;
      },
      { timeoutMs: 30_000, what: 'the hold step claimed by the first process' },
    );
    await doomed.kill();

    const heir = await spawn();
    const rescuer = customer(shop, ada.userId, () => heir.httpUrl);
    const order = await rescuer.settled(orderId, 60_000);
    assert.equal(order.status, 'confirmed');
    assert.equal(order.progress.stockCommitted, true);
    const { rows } = await shop.ordersPool.query<{ step: string; lease_owner: string | null }>(
      'select step, lease_owner from checkout_sagas where order_id = $1',
      [orderId],
    );
    assert.equal(rows[0]?.step, 'done');
    assert.notEqual(rows[0]?.lease_owner, lease.lease_owner, 'another worker finished it');
    assert.deepEqual(
      (await holdsOf(shop, orderId)).map((hold) => hold.status),
      ['captured'],
      'one hold, captured once',
    );
    assert.deepEqual(await balanceOf(shop, ada.userId), { balance: 1_200n, held: 0n });
    assert.deepEqual(await stockOf(shop, desk), { on_hand: 3, reserved: 0 });
    assert.equal(await confirmedEvents(orderId), 1, 'one order.completed');
    for (const orders of processes.splice(0)) await orders.kill();
  });

  it('shares the work of many checkouts between two processes: each order once, none stuck', async () => {
    const first = await spawn();
    const second = await spawn();
    const product = await addProduct(shop, { priceMinor: 100, stock: 1_000 });
    const buyers = Array.from({ length: 6 }, (_, i) =>
      customer(shop, randomUUID(), () => (i % 2 === 0 ? first.httpUrl : second.httpUrl)),
    );
    for (const buyer of buyers) await fund(shop, buyer.userId, 10_000n);
    const perBuyer = 3;
    const placed: string[][] = await Promise.all(
      buyers.map(async (buyer) => {
        const orders: string[] = [];
        for (let i = 0; i < perBuyer; i++) {
          await buyer.addToCart(product, 2);
          orders.push((await buyer.checkout()).orderId);
        }
        return orders;
      }),
    );
    const outcomes = await Promise.all(
      buyers.flatMap((buyer, i) => placed[i]!.map((orderId) => buyer.settled(orderId, 90_000))),
    );
    assert.deepEqual(
      outcomes
        .filter((order) => order.status !== 'confirmed')
        .map((order) => [order.status, order.cancelReason]),
      [],
      'every order confirmed',
    );

    const total = buyers.length * perBuyer;
    const { rows: steps } = await shop.ordersPool.query<{ step: string; count: string }>(
      `select step, count(*) from checkout_sagas where order_id = any($1) group by step`,
      [placed.flat()],
    );
    assert.deepEqual(
      steps.map((row) => [row.step, Number(row.count)]),
      [['done', total]],
      'every saga done',
    );
    for (const orderId of placed.flat()) assert.equal(await confirmedEvents(orderId), 1, orderId);
    for (const buyer of buyers)
      assert.deepEqual(await balanceOf(shop, buyer.userId), {
        balance: 10_000n - BigInt(perBuyer * 200),
        held: 0n,
      });
    assert.deepEqual(await stockOf(shop, product), { on_hand: 1_000 - total * 2, reserved: 0 });
    // Both processes ran saga steps (each takes replies off the shared queue and runs what follows).
    for (const orders of [first, second]) {
      const metrics = await (await fetch(`${orders.httpUrl}/metrics`)).text();
      const ran = [...metrics.matchAll(/^orders_saga_steps_total\{[^}]*step="hold_funds"[^}]*\} (\d+)/gm)]
        .map((match) => Number(match[1]))
        .reduce((sum, n) => sum + n, 0);
      assert.ok(ran > 0, `${orders.httpUrl} ran hold steps`);
    }
  });

  async function confirmedEvents(orderId: string): Promise<number> {
    const { rows } = await shop.ordersPool.query<{ count: string }>(
      `select count(*) from kit_outbox where message_type = 'order.completed' and payload->>'orderId' = $1`,
      [orderId],
    );
    return Number(rows[0]!.count);
  }
});
