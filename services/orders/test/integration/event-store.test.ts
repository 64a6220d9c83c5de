import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { withTransaction } from '@shopstack/kit';
import { waitFor } from '@shopstack/kit/testing';
import { appendEvents, ConcurrencyError, readStream } from '../../src/adapters/event-store.js';
import { loadOrder, saveOrder } from '../../src/adapters/order-repository.js';
import { findOrderView, listOrderViews, rebuildOrderViews } from '../../src/adapters/order-views.js';
import { placeOrder, recordPaymentHeld, recordStockReserved } from '../../src/domain/order.js';
import { createOrdersTestDb, type OrdersTestDb } from '../support/db.js';

const line = { productId: 'p1', quantity: 2, unitPriceMinor: '700', currency: 'EUR' };

describe('event store on PostgreSQL', () => {
  let db: OrdersTestDb;
  before(async () => {
    db = await createOrdersTestDb();
  });
  after(async () => db?.drop());

  async function place(userId: string) {
    const orderId = randomUUID();
    const event = placeOrder({ orderId, userId, lines: [line] });
    return withTransaction(db.pool, (client) => saveOrder(client, orderId, undefined, [event]));
  }

  it('appends with the expected version and rejects a writer that read an older one', async () => {
    const order = await place('alice');
    await saveOrder(db.pool, order.id, order, recordStockReserved(order));
    // A second writer still holding version 1 must not interleave its event.
    await assert.rejects(
      appendEvents(db.pool, order.id, 1, [{ type: 'order.stock-reserved', data: {} }]),
      (error: ConcurrencyError) => error instanceof ConcurrencyError && error.expectedVersion === 1,
    );
    const stream = await readStream(db.pool, order.id);
    assert.deepEqual(
      stream.map((event) => [event.version, event.type]),
      [
        [1, 'order.placed'],
        [2, 'order.stock-reserved'],
      ],
    );
  });

  it('lets exactly one of two concurrent appends at the same version win', async () => {
    const order = await place('alice');
    const results = await Promise.allSettled([
      withTransaction(db.pool, (c) => saveOrder(c, order.id, order, recordStockReserved(order))),
      withTransaction(db.pool, (c) => saveOrder(c, order.id, order, recordStockReserved(order))),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal((await readStream(db.pool, order.id)).length, 2);
  });

  it('answers what an order looked like at a given time', async () => {
    let order = await place('carol');
    order = await saveOrder(db.pool, order.id, order, recordStockReserved(order));
    const { rows } = await db.pool.query<{ recorded_at: Date }>(
      'select recorded_at from order_events where stream_id = $1 and version = 2',
      [order.id],
    );
    const betweenReservationAndHold = rows[0]!.recorded_at;
    // Reads are to the millisecond: the next event must land in a later one.
    await waitFor(() => Date.now() > betweenReservationAndHold.getTime() + 1, { intervalMs: 1 });
    order = await saveOrder(db.pool, order.id, order, recordPaymentHeld(order, 'hold-1', new Date()));

    const then = await loadOrder(db.pool, order.id, betweenReservationAndHold);
    assert.equal(then?.status, 'pending');
    assert.equal(then?.stockReserved, true);
    assert.equal(then?.holdId, undefined);
    const beforePlacing = await loadOrder(
      db.pool,
      order.id,
      new Date(Date.parse(order.placedAt.toISOString()) - 60_000),
    );
    assert.equal(beforePlacing, undefined);
    const current = await loadOrder(db.pool, order.id);
    assert.equal(current?.status, 'confirmed');
    assert.equal(current?.holdId, 'hold-1');
  });

  it('reads a stored order.placed v1 row through the upcaster', async () => {
    const orderId = randomUUID();
    await db.pool.query(
      `insert into order_events (stream_id, version, event_type, schema_version, data)
       values ($1, 1, 'order.placed', 1, $2)`,
      [
        orderId,
        JSON.stringify({
          orderId,
          customerId: 'legacy',
          items: [{ productId: 'p9', qty: 3, priceMinor: '125' }],
          currency: 'GBP',
        }),
      ],
    );
    const order = await loadOrder(db.pool, orderId);
    assert.equal(order?.userId, 'legacy');
    assert.equal(order?.totalMinor, 375n);
    assert.deepEqual(order?.lines, [
      { productId: 'p9', quantity: 3, unitPriceMinor: '125', currency: 'GBP' },
    ]);
  });

  it('projects orders into a per-user, paginated read model that a rebuild reproduces', async () => {
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(await place('dave'));
    await place('erin');

    // Newest first; orders placed within the same millisecond are ordered by id.
    const expected = [...placed]
      .sort((x, y) => y.placedAt.getTime() - x.placedAt.getTime() || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0))
      .map((order) => order.id);
    const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const first = await listOrderViews(db.pool, 'dave', { limit: 2 });
    assert.deepEqual(
      first.items.map((o) => o.orderId),
      expected.slice(0, 2),
    );
    assert.ok(first.nextCursor);
    const second = await listOrderViews(db.pool, 'dave', { limit: 2, cursor: decode(first.nextCursor) });
    assert.deepEqual(
      second.items.map((o) => o.orderId),
      expected.slice(2, 4),
    );
    const third = await listOrderViews(db.pool, 'dave', { limit: 2, cursor: decode(second.nextCursor!) });
    assert.deepEqual(
      third.items.map((o) => o.orderId),
      expected.slice(4),
    );
    assert.equal(third.nextCursor, null);

    const before = await findOrderView(db.pool, placed[0]!.id);
    assert.equal(before?.totalMinor, '1400');
    const streams = await rebuildOrderViews(db.pool);
    assert.ok(streams >= 6);
    assert.deepEqual(await findOrderView(db.pool, placed[0]!.id), before);

    // The operator's command does the same from a shell: a lost view comes back.
    await db.pool.query('delete from order_views where order_id = $1', [placed[0]!.id]);
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '-s', 'rebuild-views', '-w', '@shopstack/orders'],
      {
        env: { ...process.env, DATABASE_URL: db.url },
      },
    );
    assert.match(stdout, /order_views rebuilt from \d+ order stream/);
    assert.deepEqual(await findOrderView(db.pool, placed[0]!.id), before);
  });
});
