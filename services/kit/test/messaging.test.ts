// Outbox relay and inbox against real PostgreSQL and RabbitMQ.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectRabbit,
  consumeWithInbox,
  createLogger,
  createPgPool,
  declareQueue,
  enqueueOutbox,
  OutboxRelay,
  type Pool,
  runMigrations,
  withTransaction,
} from '../src/index.js';
import {
  createTestDatabase,
  createTestQueue,
  deleteExchange,
  requireEnv,
  type TestDatabase,
  testExchangeName,
  waitFor,
} from '../src/testing/index.js';

const logger = createLogger({ service: 'kit-test', level: 'silent' });

describe('kit outbox and inbox', () => {
  let database: TestDatabase;
  let pool: Pool;
  const exchange = testExchangeName('kit.events');

  before(async () => {
    database = await createTestDatabase('kit_messaging');
    const emptyServiceMigrations = mkdtempSync(join(tmpdir(), 'kit-migrations-'));
    await runMigrations({ databaseUrl: database.url, dir: emptyServiceMigrations });
    // Twice: migrations are idempotent.
    await runMigrations({ databaseUrl: database.url, dir: emptyServiceMigrations });
    pool = createPgPool(database.url);
  });

  after(async () => {
    await pool?.end();
    await database?.drop();
    await deleteExchange(exchange);
  });

  const enqueue = (count: number, tag: string) =>
    withTransaction(pool, async (client) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push(
          await enqueueOutbox(client, {
            exchange,
            routingKey: 'thing.made',
            type: 'thing.made',
            payload: { tag, i },
          }),
        );
      }
      return ids;
    });

  it('publishes nothing from a rolled-back transaction', async () => {
    const queue = await createTestQueue(exchange, 'thing.*');
    await assert.rejects(
      withTransaction(pool, async (client) => {
        await enqueueOutbox(client, {
          exchange,
          routingKey: 'thing.made',
          type: 'thing.made',
          payload: { tag: 'lost' },
        });
        throw new Error('business rule failed');
      }),
    );
    const { rows } = await pool.query('select count(*)::int as n from kit_outbox');
    assert.equal(rows[0].n, 0);
    await queue.close();
  });

  it('delivers every message exactly once across a relay restart in the middle of publishing', async () => {
    const queue = await createTestQueue(exchange, 'thing.*');
    const ids = await enqueue(300, 'restart');
    const relay = new OutboxRelay({ pool, amqpUrl: requireEnv('AMQP_URL'), logger, batchSize: 20 });
    relay.start();
    await waitFor(() => queue.messages.length >= 40, { what: 'first batches' });
    await relay.stop(); // mid-publish: more than half the rows are still waiting
    const { rows } = await pool.query('select count(*)::int as n from kit_outbox where published_at is null');
    assert.ok(rows[0].n > 0, 'the relay was stopped before it finished');

    const second = new OutboxRelay({ pool, amqpUrl: requireEnv('AMQP_URL'), logger, batchSize: 20 });
    second.start();
    await waitFor(
      async () => {
        const pending = await pool.query(
          'select count(*)::int as n from kit_outbox where published_at is null',
        );
        return pending.rows[0].n === 0;
      },
      { what: 'outbox drained', timeoutMs: 20_000 },
    );
    await waitFor(() => queue.messages.length >= ids.length, { what: 'all messages on the queue' });
    await second.stop();

    const received = queue.messages.map((m) => m.properties.messageId as string);
    assert.equal(received.length, ids.length, 'no duplicates');
    assert.deepEqual([...received].sort(), [...ids].sort());
    // In order, persistent, typed.
    assert.deepEqual(received, ids);
    const first = queue.messages[0]!;
    assert.equal(first.properties.deliveryMode, 2);
    assert.equal(first.properties.type, 'thing.made');
    assert.deepEqual(JSON.parse(first.content.toString()), { tag: 'restart', i: 0 });
    await queue.close();
  });

  it('lets only one relay publish at a time', async () => {
    const queue = await createTestQueue(exchange, 'thing.*');
    const ids = await enqueue(50, 'two-relays');
    const relays = [0, 1].map(
      () =>
        new OutboxRelay({ pool, amqpUrl: requireEnv('AMQP_URL'), logger, batchSize: 5, pollIntervalMs: 50 }),
    );
    for (const relay of relays) relay.start();
    await waitFor(() => queue.messages.length >= ids.length, { what: 'all messages' });
    await Promise.all(relays.map((relay) => relay.stop()));
    assert.equal(queue.messages.length, ids.length);
    assert.equal(relays[0]!.publishedCount + relays[1]!.publishedCount, ids.length);
    await queue.close();
  });

  it('runs a consumer handler once per message id, even when the message is delivered twice', async () => {
    const connection = await connectRabbit(requireEnv('AMQP_URL'));
    const channel = await connection.createChannel();
    const queueName = `kit.inbox.${Date.now()}`;
    await declareQueue(channel, { queue: queueName, bindings: [{ exchange, pattern: 'order.*' }] });
    await pool.query('create table if not exists handled (message_id text, payload jsonb)');
    await consumeWithInbox({
      channel,
      queue: queueName,
      pool,
      consumer: 'kit-test',
      logger,
      handle: async (client, message) => {
        await client.query('insert into handled values ($1, $2)', [
          message.id,
          JSON.stringify(message.payload),
        ]);
      },
    });
    const publish = (id: string) =>
      channel.publish(exchange, 'order.paid', Buffer.from(JSON.stringify({ id })), {
        messageId: id,
        type: 'order.paid',
      });
    publish('m-1');
    publish('m-1');
    publish('m-2');
    await waitFor(
      async () => {
        const inbox = await pool.query(
          "select count(*)::int as n from kit_inbox where consumer = 'kit-test'",
        );
        const check = await channel.checkQueue(queueName);
        return inbox.rows[0].n === 2 && check.messageCount === 0;
      },
      { what: 'messages consumed' },
    );
    const { rows } = await pool.query('select message_id from handled order by message_id');
    assert.deepEqual(
      rows.map((r) => r.message_id),
      ['m-1', 'm-2'],
    );
    await channel.deleteQueue(queueName);
    await channel.deleteQueue(`${queueName}.dead`);
    await connection.close();
  });
});
