// Several payments replicas share one outbox without a leader: each relay claims documents with a
// lease, so two relays running at once publish every event exactly once between them, and a relay that
// died holding claims leaves them to the other once the lease has ended.
import assert from 'node:assert/strict';
import { createLogger, OutboxRelay } from '@shopstack/kit';
import {
  createTestQueue,
  deleteExchange,
  requireEnv,
  type TestQueue,
  testExchangeName,
  waitFor,
} from '@shopstack/kit/testing';
import { MongoOutbox } from '../../src/adapters/outbox.js';
import { createTestPaymentsDb } from '../support/db.js';

// Enough for both relays to claim from the same oldest documents many times over (batches of 10).
const EVENTS = 120;

describe('payments: the outbox shared by replicas', function () {
  this.timeout(120_000);
  const exchange = testExchangeName('payments.events');
  let db: Awaited<ReturnType<typeof createTestPaymentsDb>>;
  let events: TestQueue;

  before(async () => {
    db = await createTestPaymentsDb();
    events = await createTestQueue(exchange, 'payment.#');
  });

  after(async () => {
    await events?.close();
    await deleteExchange(exchange).catch(() => {});
    await db?.drop();
  });

  it('publishes each event once when two relays claim from it at the same time', async () => {
    const outbox = new MongoOutbox(db.outbox, db.outboxClaims, exchange);
    await Promise.all(
      Array.from({ length: EVENTS }, (_, i) =>
        outbox.put({ operationId: `op-${i}`, type: 'payment.test_event', payload: { i } }),
      ),
    );
    // A retry of an operation stores nothing new.
    await outbox.put({ operationId: 'op-0', type: 'payment.test_event', payload: { i: 'again' } });
    assert.equal(await db.outbox.countDocuments(), EVENTS);

    const logger = createLogger({ service: 'payments-test', level: 'silent' });
    const relays = [1, 2].map(
      () =>
        new OutboxRelay({
          store: new MongoOutbox(db.outbox, db.outboxClaims, exchange),
          amqpUrl: requireEnv('AMQP_URL'),
          logger,
          batchSize: 10,
          pollIntervalMs: 20,
        }),
    );
    for (const relay of relays) relay.start();
    await waitFor(async () => (await db.outbox.countDocuments({ publishedAt: null })) === 0, {
      timeoutMs: 90_000,
      what: 'the outbox to drain',
    });
    await Promise.all(relays.map((relay) => relay.stop()));
    await waitFor(() => events.messages.length >= EVENTS, { what: 'every event' });

    const ids = events.messages.map((m) => m.properties.messageId);
    assert.equal(ids.length, EVENTS, 'no event published twice');
    assert.equal(new Set(ids).size, EVENTS);
    assert.equal(relays[0]!.publishedCount + relays[1]!.publishedCount, EVENTS);
    assert.ok(
      relays.every((relay) => relay.publishedCount > 0),
      `both relays published (${relays.map((r) => r.publishedCount)})`,
    );
    assert.deepEqual(
      JSON.parse(
        events.messages.find((m) => m.properties.messageId === 'op-0:payment.test_event')!.content.toString(),
      ),
      { i: 0 },
    );
  });

  it('publishes what a relay that died holding claims left, once its lease has ended', async () => {
    const leaseMs = 3_000;
    const dead = new MongoOutbox(db.outbox, db.outboxClaims, exchange, leaseMs);
    for (let i = 0; i < 20; i++) {
      await dead.put({ operationId: `left-${i}`, type: 'payment.left_event', payload: { i } });
    }
    // It claims everything and dies before publishing: its session is never used again.
    const session = await dead.open(() => {});
    assert.equal((await session!.claim(50)).length, 20);

    const store = new MongoOutbox(db.outbox, db.outboxClaims, exchange, leaseMs);
    const other = await store.open(() => {});
    assert.deepEqual(await other!.claim(50), [], 'the claims are respected while the lease lasts');
    await other!.close();

    const relay = new OutboxRelay({
      store,
      amqpUrl: requireEnv('AMQP_URL'),
      logger: createLogger({ service: 'payments-test', level: 'silent' }),
      batchSize: 10,
      pollIntervalMs: 50,
    });
    relay.start();
    await waitFor(async () => (await db.outbox.countDocuments({ publishedAt: null })) === 0, {
      timeoutMs: 60_000,
      what: 'the other relay to publish what was left',
    });
    await relay.stop();
    await waitFor(() => left().length >= 20, { what: 'the left events' });
    assert.equal(relay.publishedCount, 20);
    assert.equal(new Set(left()).size, 20);
    assert.equal(left().length, 20, 'each once');
    // The dead relay's claims stay beside the one generation that took each over.
    const claims = await db.outboxClaims.find({ messageId: { $in: left() } }).toArray();
    assert.deepEqual(
      claims.map((claim) => claim.generation).sort(),
      [...Array(20).fill(0), ...Array(20).fill(1)],
      'one takeover a message',
    );

    function left(): string[] {
      return events.messages
        .filter((m) => m.properties.type === 'payment.left_event')
        .map((m) => m.properties.messageId);
    }
  });
});
