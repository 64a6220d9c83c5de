// The checkout saga against the real catalog, payments, PostgreSQL, FerretDB and RabbitMQ.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@shopstack/kit';
import { createTestQueue, queueDepth, type TestQueue, waitFor } from '@shopstack/kit/testing';
import { orderCancelled, orderRefunded } from '@shopstack/proto/messages';
import { ordersConfigSchema } from '../../src/config.js';
import { startOrdersService } from '../../src/service.js';
import { customer, sagaStep } from '../support/orders-api.js';
import { addProduct, balanceOf, fund, holdsOf, type Shop, startShop, stockOf } from '../support/shop.js';

describe('checkout saga', function () {
  this.timeout(120_000);
  let shop: Shop;
  let events: TestQueue;

  before(async () => {
    shop = await startShop();
    events = await createTestQueue(shop.names.events, 'order.#');
  });
  after(async () => {
    await events?.close();
    await shop?.close();
  });

  /** The payload of an integration event about an order, once the relay published it. */
  const published = (type: string, orderId: string): unknown => {
    const message = events.messages.find(
      (m) => m.properties.type === type && JSON.parse(m.content.toString()).orderId === orderId,
    );
    return message ? JSON.parse(message.content.toString()) : undefined;
  };

  it('confirms a paid order: stock sold, money captured, order.completed published', async () => {
    const mug = await addProduct(shop, { priceMinor: 1250, stock: 10 });
    const tea = await addProduct(shop, { priceMinor: 399, stock: 5 });
    // The mug is in a category (its id and name told in order.completed, for the sales report); the
    // tea in none.
    const kitchen = randomUUID();
    await shop.catalog.deps.pool.query(`insert into categories (id, slug, name) values ($1, $2, 'Kitchen')`, [
      kitchen,
      `kitchen-${kitchen.slice(0, 8)}`,
    ]);
    await shop.catalog.deps.pool.query('update products set category_id = $1 where id = $2', [kitchen, mug]);
    const alice = customer(shop, randomUUID());
    await fund(shop, alice.userId, 10_000n);
    await alice.addToCart(mug, 2);
    const cart = await alice.addToCart(tea, 3);
    assert.deepEqual(cart.totals, [{ currency: 'EUR', totalMinor: '3697' }]);

    const placed = await alice.checkout();
    assert.equal(placed.status, 'pending');
    assert.equal(placed.totalMinor, '3697');
    const order = await alice.settled(placed.orderId);

    assert.equal(order.status, 'confirmed');
    assert.deepEqual(order.progress, {
      stockReserved: true,
      paymentHeld: true,
      paymentCaptured: true,
      stockCommitted: true,
    });
    assert.deepEqual(await stockOf(shop, mug), { on_hand: 8, reserved: 0 });
    assert.deepEqual(await stockOf(shop, tea), { on_hand: 2, reserved: 0 });
    assert.deepEqual(await balanceOf(shop, alice.userId), { balance: 6303n, held: 0n });
    assert.deepEqual((await alice.call('GET', '/api/orders/cart')).body.lines, [], 'the cart was emptied');

    const confirmed = await waitFor(
      () =>
        events.messages.find(
          (m) =>
            m.properties.type === 'order.completed' &&
            JSON.parse(m.content.toString()).orderId === placed.orderId,
        ),
      { what: 'order.completed' },
    );
    const payload = JSON.parse(confirmed.content.toString());
    assert.equal(payload.userId, alice.userId);
    assert.equal(payload.totalMinor, '3697');
    assert.equal(payload.currency, 'EUR');
    assert.deepEqual(
      payload.lines.map(
        (l: {
          productId: string;
          quantity: number;
          unitPriceMinor: string;
          categoryId?: string;
          categoryName?: string;
        }) => [l.productId, l.quantity, l.unitPriceMinor, l.categoryId, l.categoryName],
      ),
      [
        [mug, 2, '1250', kitchen, 'Kitchen'],
        [tea, 3, '399', undefined, undefined],
      ],
    );
    assert.ok(Date.parse(payload.completedAt) > 0);
  });

  it('returns the same order for a repeated checkout key and places no second one', async () => {
    const pen = await addProduct(shop, { priceMinor: 100, stock: 10 });
    const bob = customer(shop, randomUUID());
    await fund(shop, bob.userId, 1_000n);
    await bob.addToCart(pen, 1);
    const key = randomUUID();
    const [first, second] = await Promise.all([bob.checkout(key), bob.checkout(key)]);
    assert.equal(first.orderId, second.orderId);
    await bob.settled(first.orderId);
    const again = await bob.checkout(key);
    assert.equal(again.orderId, first.orderId);
    const list = (await bob.call('GET', '/api/orders')).body;
    assert.equal(list.items.length, 1);
    assert.deepEqual(await balanceOf(shop, bob.userId), { balance: 900n, held: 0n });
  });

  it('cancels for insufficient funds and releases the reserved stock', async () => {
    const lamp = await addProduct(shop, { priceMinor: 5000, stock: 3 });
    const carol = customer(shop, randomUUID());
    await fund(shop, carol.userId, 4_999n);
    await carol.addToCart(lamp, 1);
    const order = await carol.settled((await carol.checkout()).orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'insufficient_funds');
    assert.equal(order.progress.stockReserved, true);
    await waitFor(async () => (await stockOf(shop, lamp)).reserved === 0, { what: 'stock released' });
    assert.deepEqual(await stockOf(shop, lamp), { on_hand: 3, reserved: 0 });
    assert.deepEqual(await balanceOf(shop, carol.userId), { balance: 4_999n, held: 0n });
    assert.equal(await sagaStep(shop, order.orderId), 'done');
  });

  it('cancels when out of stock, without ever holding funds', async () => {
    const rare = await addProduct(shop, { priceMinor: 10, stock: 1 });
    const dave = customer(shop, randomUUID());
    await fund(shop, dave.userId, 1_000n);
    await dave.addToCart(rare, 2);
    const order = await dave.settled((await dave.checkout()).orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'out_of_stock');
    assert.equal(order.progress.paymentHeld, false);
    assert.deepEqual(await stockOf(shop, rare), { on_hand: 1, reserved: 0 });
    assert.deepEqual(await balanceOf(shop, dave.userId), { balance: 1_000n, held: 0n });
    assert.deepEqual(await holdsOf(shop, order.orderId), [], 'no hold was ever placed');
    const cancelled = await waitFor(() => published('order.cancelled', order.orderId), {
      what: 'order.cancelled',
    });
    assert.deepEqual(orderCancelled.parse(cancelled), {
      orderId: order.orderId,
      userId: dave.userId,
      reason: 'out_of_stock',
      totalMinor: '20',
      currency: 'EUR',
    });
  });

  it('refunds a confirmed order its customer cancels', async () => {
    const book = await addProduct(shop, { priceMinor: 2000, stock: 4 });
    const erin = customer(shop, randomUUID());
    await fund(shop, erin.userId, 3_000n);
    await erin.addToCart(book, 1);
    const confirmed = await erin.settled((await erin.checkout()).orderId);
    assert.equal(confirmed.status, 'confirmed');
    assert.deepEqual(await balanceOf(shop, erin.userId), { balance: 1_000n, held: 0n });

    const cancel = await erin.call('POST', `/api/orders/${confirmed.orderId}/cancel`, { key: null });
    assert.equal(cancel.status, 202);
    const refunded = await erin.reaches(confirmed.orderId, 'refunded');
    assert.equal(refunded.status, 'refunded');
    assert.equal(refunded.refundedMinor, '2000');
    assert.deepEqual(await balanceOf(shop, erin.userId), { balance: 3_000n, held: 0n });
    const event = await waitFor(() => published('order.refunded', confirmed.orderId), {
      what: 'order.refunded',
    });
    const parsed = orderRefunded.parse(event);
    assert.equal(parsed.userId, erin.userId);
    assert.equal(parsed.amountMinor, '2000');
    assert.equal(parsed.currency, 'EUR');
    assert.equal(
      published('order.cancelled', confirmed.orderId),
      undefined,
      'a paid order is refunded, not cancelled',
    );
  });

  it('applies a reply delivered twice, while the saga waits for it, only once', async () => {
    const cup = await addProduct(shop, { priceMinor: 300, stock: 5 });
    const fay = customer(shop, randomUUID());
    await fund(shop, fay.userId, 1_000n);
    await fay.addToCart(cup, 2);
    // The reserve command waits at the catalog; orders goes down, so the reply waits in its queue.
    await shop.stopStockConsumer();
    const placed = await fay.checkout();
    // Orders' relay publishes the reserve command after the checkout's commit; closing orders before
    // it has would leave the command in the outbox and no reply to wait for.
    await waitFor(async () => (await queueDepth(shop.names.stockQueue)) === 1, {
      what: 'the reserve command queued',
    });
    await shop.orders!.close();
    await shop.startStockConsumer();
    await waitFor(async () => (await queueDepth(shop.names.replies)) === 1, { what: 'the reply queued' });

    // The same reply again, with its message id: what the catalog does when the broker redelivers a
    // command it answered but had not acknowledged (it keeps the reply with the command's inbox row).
    const { rows } = await shop.catalog.deps.pool.query<{
      message_id: string;
      payload: unknown;
      routing_key: string;
      message_type: string;
    }>(
      `select reply->>'messageId' as message_id, reply->'payload' as payload,
              reply->>'routingKey' as routing_key, reply->>'type' as message_type
         from kit_inbox
        where reply->'payload'->>'orderId' = $1 and reply->'payload'->>'command' = 'reserve-stock'`,
      [placed.orderId],
    );
    assert.equal(rows.length, 1);
    const reply = rows[0]!;
    const { connectRabbit } = await import('@shopstack/kit');
    const connection = await connectRabbit(process.env.AMQP_URL!, 'test-duplicate');
    const channel = await connection.createConfirmChannel();
    channel.publish(shop.names.commands, reply.routing_key, Buffer.from(JSON.stringify(reply.payload)), {
      messageId: reply.message_id,
      type: reply.message_type,
      persistent: true,
    });
    await channel.waitForConfirms();
    await connection.close();
    assert.equal(await queueDepth(shop.names.replies), 2);

    // Orders comes back (resuming the saga) and gets both copies at once.
    shop.orders = await startOrdersService(loadConfig(ordersConfigSchema, shop.ordersEnv));
    const order = await fay.settled(placed.orderId);
    assert.equal(order.status, 'confirmed');
    await waitFor(async () => (await queueDepth(shop.names.replies)) === 0, { what: 'replies consumed' });
    const { rows: events } = await shop.ordersPool.query<{ event_type: string }>(
      'select event_type from order_events where stream_id = $1 order by version',
      [placed.orderId],
    );
    assert.equal(events.filter((e) => e.event_type === 'order.stock-reserved').length, 1);
    assert.deepEqual(await stockOf(shop, cup), { on_hand: 3, reserved: 0 });
    assert.deepEqual(await balanceOf(shop, fay.userId), { balance: 400n, held: 0n });
  });

  it("carries the checkout request's trace through every step to order.completed", async () => {
    const pen = await addProduct(shop, { priceMinor: 150, stock: 5 });
    const hal = customer(shop, randomUUID());
    await fund(shop, hal.userId, 1_000n);
    await hal.addToCart(pen, 1);
    const traceId = randomUUID().replaceAll('-', '');
    const placed = await hal.call('POST', '/api/orders/checkout', {
      headers: { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
    });
    assert.equal(placed.status, 202);
    await hal.settled(placed.body.orderId);
    const confirmed = await waitFor(
      () => events.messages.find((m) => JSON.parse(m.content.toString()).orderId === placed.body.orderId),
      { what: 'order.completed' },
    );
    const traceparent = String(confirmed.properties.headers?.traceparent ?? '');
    assert.equal(traceparent.split('-')[1], traceId, `order.completed carries ${traceparent}`);
    // The commands the saga sent to the catalog carry it too.
    const { rows } = await shop.ordersPool.query<{ headers: { traceparent?: string } }>(
      `select headers from kit_outbox where payload->>'orderId' = $1`,
      [placed.body.orderId],
    );
    assert.equal(rows.length, 3);
    for (const row of rows) assert.equal(row.headers.traceparent?.split('-')[1], traceId);
  });

  it('cancels at once when payments refuses the hold itself (a currency it does not keep)', async () => {
    const yen = await addProduct(shop, { priceMinor: 500, currency: 'JPY', stock: 3 });
    const gus = customer(shop, randomUUID());
    await gus.addToCart(yen, 1);
    const order = await gus.settled((await gus.checkout()).orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'payment_declined');
    await waitFor(async () => (await stockOf(shop, yen)).reserved === 0, { what: 'stock released' });
    assert.equal(await sagaStep(shop, order.orderId), 'done');
  });

  it('reports orders by status and unfinished sagas on /metrics', async () => {
    const text = await (await fetch(`${shop.orders!.httpUrl}/metrics`)).text();
    const sample = (name: string, ...labels: string[]) => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    assert.ok((sample('orders_orders', 'status="confirmed"') ?? 0) >= 2);
    assert.equal(sample('orders_orders', 'status="cancelled"', 'reason="out_of_stock"'), 1);
    assert.equal(sample('orders_orders', 'status="cancelled"', 'reason="payment_declined"'), 1);
    assert.equal(sample('orders_orders', 'status="refunded"'), 1);
    assert.equal(sample('orders_sagas_overdue'), 0);
  });
});
