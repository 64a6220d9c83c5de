// The catalog's side of the checkout saga over RabbitMQ: stock commands in, replies out (stored with
// the inbox row, published before the acknowledgement), each command applied and answered once; a
// commit that names the buyer records the purchase in the same transaction.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestQueue, queueDepth, type TestQueue, waitFor } from '@shopstack/kit/testing';
import { startTestCatalog, type TestCatalog } from '../support/catalog.js';
import { createProduct, stockOf } from '../support/fixtures.js';
import { publishEvent } from '../support/rabbit.js';

interface Reply {
  orderId: string;
  command: string;
  status: string;
  shortages: { productId: string; reason: string }[];
}

describe('catalog saga stock commands over RabbitMQ', function () {
  this.timeout(60_000);
  let catalog: TestCatalog;
  let replies: TestQueue;
  let admin: string;
  const replyTo = `orders.saga-replies.${randomUUID().slice(0, 8)}`;

  const repliesFor = (orderId: string): Reply[] =>
    replies.messages
      .map((message) => JSON.parse(message.content.toString('utf8')) as Reply)
      .filter((reply) => reply.orderId === orderId);

  const replyFor = (orderId: string, command: string) =>
    waitFor(() => repliesFor(orderId).find((reply) => reply.command === command), {
      what: `the ${command} reply for ${orderId}`,
    });

  const send = (type: string, payload: Record<string, unknown>, messageId = randomUUID()) =>
    publishEvent(catalog.commandsExchange, type, payload, messageId).then(() => messageId);

  before(async () => {
    catalog = await startTestCatalog();
    replies = await createTestQueue(catalog.commandsExchange, replyTo);
    admin = await catalog.issuer.token(randomUUID(), 'admin');
  });

  after(async () => {
    await replies?.close();
    await catalog?.stop();
  });

  it('reserves, answers once even when the command is redelivered, then commits', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 5 });
    const orderId = randomUUID();
    const command = { orderId, lines: [{ productId: product.id, quantity: 2 }], replyTo };
    const messageId = await send('catalog.reserve-stock', command);
    const reserved = await replyFor(orderId, 'reserve-stock');
    assert.equal(reserved.status, 'reserved');
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 5, reserved: 2, available: 3 });
    assert.equal(replies.messages.at(-1)?.properties.type, 'catalog.stock-reservation');

    // The same command again (the orders relay republishing after a crash): no second effect or reply.
    await send('catalog.reserve-stock', command, messageId);
    await send('catalog.commit-stock', { orderId, replyTo });
    const committed = await replyFor(orderId, 'commit-stock');
    assert.equal(committed.status, 'committed');
    assert.equal(repliesFor(orderId).filter((reply) => reply.command === 'reserve-stock').length, 1);
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 3, reserved: 0, available: 3 });
  });

  it('a commit that names the buyer records the purchase with it; the order.completed after it writes nothing', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 5 });
    const [orderId, buyer] = [randomUUID(), randomUUID()];
    await send('catalog.reserve-stock', {
      orderId,
      lines: [{ productId: product.id, quantity: 1 }],
      replyTo,
    });
    assert.equal((await replyFor(orderId, 'reserve-stock')).status, 'reserved');
    const commitId = await send('catalog.commit-stock', { orderId, replyTo, userId: buyer });
    assert.equal((await replyFor(orderId, 'commit-stock')).status, 'committed');
    const purchases = () =>
      catalog.service.deps.pool.query<{ product_id: string; order_id: string; tx: string }>(
        'select product_id, order_id, xmin::text as tx from purchases where user_id = $1',
        [buyer],
      );
    const recorded = (await purchases()).rows;
    assert.deepEqual(
      recorded.map((row) => [row.product_id, row.order_id]),
      [[product.id, orderId]],
    );
    // The commit's own transaction: the one that left the command's inbox row.
    const { rows: inbox } = await catalog.service.deps.pool.query<{ tx: string }>(
      `select xmin::text as tx from kit_inbox where consumer = 'catalog.saga-commands' and message_id = $1`,
      [commitId],
    );
    assert.equal(inbox[0]?.tx, recorded[0]!.tx, 'purchase and commit in one transaction');
    const messageId = randomUUID();
    await publishEvent(
      catalog.exchange,
      'order.completed',
      { orderId, userId: buyer, lines: [{ productId: product.id, quantity: 1 }] },
      messageId,
    );
    await waitFor(async () => (await queueDepth(catalog.queue)) === 0 || undefined, {
      what: 'the event taken',
    });
    assert.deepEqual((await purchases()).rows, recorded, 'the event wrote the known purchase again');
  });

  it('releases on compensation and answers a malformed reserve as rejected', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 5 });
    const orderId = randomUUID();
    await send('catalog.reserve-stock', {
      orderId,
      lines: [{ productId: product.id, quantity: 5 }],
      replyTo,
    });
    assert.equal((await replyFor(orderId, 'reserve-stock')).status, 'reserved');
    await send('catalog.release-stock', { orderId, replyTo });
    assert.equal((await replyFor(orderId, 'release-stock')).status, 'released');
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 5, reserved: 0, available: 5 });

    const malformed = randomUUID();
    await send('catalog.reserve-stock', { orderId: malformed, lines: 'two kettles', replyTo });
    assert.equal((await replyFor(malformed, 'reserve-stock')).status, 'rejected');
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 5, reserved: 0, available: 5 });
  });

  it('dead-letters a command nobody could answer (no replyTo), changing nothing', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 5 });
    await send('catalog.reserve-stock', {
      orderId: randomUUID(),
      lines: [{ productId: product.id, quantity: 1 }],
    });
    await waitFor(async () => (await queueDepth(`${catalog.commandsQueue}.dead`)) === 1 || undefined, {
      what: 'the command in the dead-letter queue',
    });
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 5, reserved: 0, available: 5 });
  });
});
