// Outbox relay and inbox against real PostgreSQL and RabbitMQ.
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import {
  connectRabbit,
  consumeWithInbox,
  createLogger,
  createPgPool,
  declareQueue,
  enqueueOutbox,
  OutboxRelay,
  type Pool,
  registerOutboxBacklogMetric,
  runMigrations,
  withTransaction,
} from '../src/index.js';
import {
  createTestDatabase,
  createTestQueue,
  deleteExchange,
  requireEnv,
  type TestDatabase,
  tempDir,
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
    const emptyServiceMigrations = tempDir('kit-migrations-');
    // Three replicas starting at once, then once more: all succeed, the schema is made once.
    await Promise.all(
      [0, 1, 2].map(() =>
        runMigrations({ databaseUrl: database.url, service: 'kit_test', dir: emptyServiceMigrations }),
      ),
    );
    await runMigrations({ databaseUrl: database.url, service: 'kit_test', dir: emptyServiceMigrations });
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

  it('migrated the kit tables once, even with replicas racing', async () => {
    const { rows } = await pool.query('select name from kit_migrations');
    assert.deepEqual(
      rows.map((r) => r.name),
      [
        '1700000000000_outbox-inbox',
        '1700000001000_retention-indexes',
        '1700000002000_archive',
        '1700000003000_inbox-replies',
      ],
    );
  });

  it('reports the age of the oldest unpublished message, and 0 once the relay published it', async () => {
    const registry = new Registry();
    registerOutboxBacklogMetric(registry, pool);
    const age = async () =>
      (await registry.getSingleMetric('outbox_oldest_pending_age_seconds')!.get()).values[0]!.value;
    const [id] = await enqueue(1, 'backlog');
    await pool.query(
      `update kit_outbox set created_at = now() - interval '90 seconds' where message_id = $1`,
      [id],
    );
    assert.ok((await age()) >= 90, 'a message waiting 90 s is reported');
    const relay = new OutboxRelay({ pool, amqpUrl: requireEnv('AMQP_URL'), logger, pollIntervalMs: 50 });
    relay.start();
    try {
      await waitFor(async () => (await age()) === 0 || undefined, { what: 'the backlog drained' });
    } finally {
      await relay.stop();
      await pool.query('delete from kit_outbox where message_id = $1', [id]); // the next tests count rows
    }
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
    // Hold row locks from the third batch on: the relay publishes that batch, gets the confirms,
    // and then waits to mark it — a relay caught in the middle of publishing, deterministically.
    const locker = await pool.connect();
    await locker.query('begin');
    // (The offset sits in a subquery: FOR UPDATE with OFFSET would also lock the rows it skips.)
    await locker.query(
      `select position from kit_outbox where position in
         (select position from kit_outbox where published_at is null order by position offset 40) for update`,
    );
    // Each batch marked before the next is claimed, so the blocked mark stops the relay there.
    const relay = new OutboxRelay({
      pool,
      amqpUrl: requireEnv('AMQP_URL'),
      logger,
      batchSize: 20,
      markDelayMs: 0,
    });
    relay.start();
    await waitFor(() => queue.messages.length >= 60, { what: 'third batch published' });
    const stopped = relay.stop();
    await locker.query('rollback');
    locker.release();
    await stopped;
    const { rows } = await pool.query('select count(*)::int as n from kit_outbox where published_at is null');
    assert.equal(rows[0].n, 240, 'the batch in flight was marked, nothing after it was published');
    assert.equal(queue.messages.length, 60);

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

  it('marks many batches in one write, never republishes a published row, and marks all at stop', async () => {
    const queue = await createTestQueue(exchange, 'thing.*');
    // A window longer than the test: nothing is marked until the stop.
    const relay = new OutboxRelay({ pool, amqpUrl: requireEnv('AMQP_URL'), logger, markDelayMs: 600_000 });
    relay.start();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      // One message at a time, each published (its own batch) before the next is stored.
      ids.push(...(await enqueue(1, `deferred-${i}`)));
      await waitFor(() => queue.messages.length === ids.length || undefined, { what: `message ${i}` });
    }
    const unmarked = await pool.query(
      'select count(*)::int as n from kit_outbox where published_at is null and message_id = any($1)',
      [ids],
    );
    assert.equal(unmarked.rows[0].n, 10, 'published, not yet marked');
    await relay.stop();
    const marks = await pool.query(
      `select count(*)::int as rows, count(distinct published_at)::int as writes
         from kit_outbox where published_at is not null and message_id = any($1)`,
      [ids],
    );
    assert.deepEqual(marks.rows[0], { rows: 10, writes: 1 }, 'ten batches, one mark');

    const second = new OutboxRelay({ pool, amqpUrl: requireEnv('AMQP_URL'), logger, pollIntervalMs: 50 });
    second.start();
    const [last] = await enqueue(1, 'deferred-last');
    await waitFor(() => queue.messages.length === 11 || undefined, { what: 'the next message' });
    await second.stop();
    const received = queue.messages.map((m) => m.properties.messageId as string);
    assert.deepEqual(received, [...ids, last], 'each once, in order');
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

  it('retries a failing handler once, then dead-letters the message; its effects are rolled back', async () => {
    const connection = await connectRabbit(requireEnv('AMQP_URL'));
    const channel = await connection.createChannel();
    const queueName = `kit.poison.${Date.now()}`;
    await declareQueue(channel, { queue: queueName, bindings: [{ exchange, pattern: 'poison.*' }] });
    await pool.query('create table if not exists attempts (message_id text)');
    let attempts = 0;
    await consumeWithInbox({
      channel,
      queue: queueName,
      pool,
      consumer: 'kit-poison',
      logger,
      handle: async (client, message) => {
        attempts++;
        await client.query('insert into attempts values ($1)', [message.id]);
        throw new Error('cannot handle this');
      },
    });
    channel.publish(exchange, 'poison.pill', Buffer.from('{}'), { messageId: 'p-1', type: 'poison.pill' });
    const dead = await waitFor(
      async () => (await channel.checkQueue(`${queueName}.dead`)).messageCount === 1,
      {
        what: 'message in the dead-letter queue',
      },
    );
    assert.ok(dead);
    assert.equal(attempts, 2);
    const { rows } = await pool.query("select count(*)::int as n from attempts where message_id = 'p-1'");
    assert.equal(rows[0].n, 0, 'the failed attempts left nothing behind');
    const inbox = await pool.query("select count(*)::int as n from kit_inbox where consumer = 'kit-poison'");
    assert.equal(inbox.rows[0].n, 0);
    await channel.deleteQueue(queueName);
    await channel.deleteQueue(`${queueName}.dead`);
    await connection.close();
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
