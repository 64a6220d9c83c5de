// The kit's consumer: its queues are quorum queues, and a dead-lettered message can be replayed
// once its cause is fixed. (Surviving a broker restart is tested on a private broker with the whole
// checkout: services/orders/test/integration/broker-restart.test.ts.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  connectRabbit,
  createLogger,
  createPgPool,
  deadLetterQueueOf,
  type IncomingMessage,
  type Pool,
  type RunningConsumer,
  replayDeadLetters,
  runMigrations,
  startConsumer,
} from '../src/index.js';
import {
  createTestDatabase,
  createTestQueue,
  deleteConsumerQueues,
  deleteExchange,
  randomSuffix,
  requireEnv,
  type TestDatabase,
  type TestQueue,
  tempDir,
  waitFor,
} from '../src/testing/index.js';

const logger = createLogger({ service: 'kit-test', level: 'silent' });

describe('kit consumer', () => {
  const rabbit = { url: requireEnv('AMQP_URL') };
  let database: TestDatabase;
  let pool: Pool;
  let consumer: RunningConsumer;
  let failing = true;
  const exchange = `kit.consumer-test.${randomSuffix()}`;
  const queue = `kit.consumer-test.${randomSuffix()}`;

  const publish = (id: string) =>
    publishThing(rabbit.url, exchange, id.startsWith('bad') ? 'thing.bad' : 'thing.made', id);
  const handled = async () =>
    (await pool.query<{ id: string }>('select id from things order by id')).rows.map((row) => row.id);

  before(async () => {
    ({ database, pool } = await thingsDatabase('kit_consumer'));
    // A classic queue of the same name, as an earlier version left it: empty, so it becomes quorum.
    const connection = await connectRabbit(rabbit.url);
    await (await connection.createChannel()).assertQueue(queue, { durable: true });
    await connection.close();
    consumer = await startConsumer(
      {
        name: 'kit.things',
        queue,
        bindings: [
          { exchange, pattern: 'thing.made' },
          { exchange, pattern: 'thing.bad' },
        ],
        pool,
        handle: async (client, message) => {
          const { id } = message.payload as { id: string };
          if (id.startsWith('bad') && failing) throw new Error('cannot handle this yet');
          await client.query('insert into things values ($1)', [id]);
        },
      },
      { service: 'kit-test', amqpUrl: rabbit.url, logger, firstRetryMs: 200 },
    );
  });

  after(async () => {
    await consumer?.close();
    await pool?.end();
    await database?.drop();
    await deleteConsumerQueues([queue], rabbit.url);
    await deleteExchange(exchange, rabbit.url);
  });

  it('declares quorum queues, also in place of an empty classic one', async () => {
    const connection = await connectRabbit(rabbit.url);
    try {
      // Declaring with the same arguments succeeds only if the queue really is quorum.
      const channel = await connection.createChannel();
      for (const name of [queue, deadLetterQueueOf(queue)]) {
        await channel.assertQueue(name, {
          durable: true,
          arguments: { 'x-queue-type': 'quorum' },
          ...(name === queue
            ? { deadLetterExchange: '', deadLetterRoutingKey: deadLetterQueueOf(queue) }
            : {}),
        });
      }
    } finally {
      await connection.close();
    }
  });

  it('dead-letters what fails twice, and replays it once the cause is fixed', async () => {
    await publish('bad-1');
    const connection = await connectRabbit(rabbit.url);
    const channel = await connection.createChannel();
    try {
      await waitFor(
        async () => (await channel.checkQueue(deadLetterQueueOf(queue))).messageCount === 1 || undefined,
        {
          what: 'bad-1 dead-lettered',
        },
      );
      assert.ok(!(await handled()).includes('bad-1'));
      failing = false;
      assert.equal(await replayDeadLetters(rabbit.url, queue), 1);
      await waitFor(async () => (await handled()).includes('bad-1') || undefined, { what: 'bad-1 handled' });
      assert.equal((await channel.checkQueue(deadLetterQueueOf(queue))).messageCount, 0);
    } finally {
      await connection.close();
    }
  });
});

// A consumer that answers (a saga participant): the reply is stored with the inbox row and published
// after the commit, before the acknowledgement. The window between that commit and the reply's
// publish is made here by the broker closing the consumer's connection from inside the handler: the
// commit still happens, the publish cannot, and the command comes back redelivered.
describe('kit consumer replies', function () {
  this.timeout(60_000);
  const rabbit = { url: requireEnv('AMQP_URL') };
  const exchange = `kit.replies-test.${randomSuffix()}`;
  const queue = `kit.replies-test.${randomSuffix()}`;
  const connectionName = `kit-test ${queue}`;
  let database: TestDatabase;
  let pool: Pool;
  let consumer: RunningConsumer;
  let replies: TestQueue;
  const runs = new Map<string, number>();
  const cutConnectionFor = new Set<string>();

  const send = (id: string) => publishThing(rabbit.url, exchange, 'thing.make', id);
  const repliesTo = (id: string) =>
    replies.messages.filter((message) => JSON.parse(message.content.toString()).id === id);

  before(async () => {
    ({ database, pool } = await thingsDatabase('kit_replies'));
    replies = await createTestQueue(exchange, 'thing.made');
    consumer = await startConsumer(
      {
        name: 'kit.thing-maker',
        queue,
        bindings: [{ exchange, pattern: 'thing.make' }],
        pool,
        handle: async (client, message) => {
          const { id } = message.payload as { id: string };
          runs.set(id, (runs.get(id) ?? 0) + 1);
          await client.query('insert into things values ($1)', [id]);
          if (cutConnectionFor.delete(id)) await closeConnection(connectionName);
          return { reply: { exchange, routingKey: 'thing.made', type: 'thing.made', payload: { id } } };
        },
      },
      { service: 'kit-test', amqpUrl: rabbit.url, logger, firstRetryMs: 200 },
    );
  });

  after(async () => {
    await consumer?.close();
    await replies?.close();
    await pool?.end();
    await database?.drop();
    await deleteConsumerQueues([queue], rabbit.url);
    await deleteExchange(exchange, rabbit.url);
  });

  it('answers once; the same command published again is neither applied nor answered again', async () => {
    await send('first');
    await waitFor(() => repliesTo('first').length === 1 || undefined, { what: 'the reply to first' });
    await send('first');
    await send('second');
    await waitFor(() => repliesTo('second').length === 1 || undefined, { what: 'the reply to second' });
    assert.equal(repliesTo('first').length, 1);
    assert.equal(runs.get('first'), 1);
    const stored = await pool.query('select reply from kit_inbox where message_id = $1', ['first']);
    assert.deepEqual(stored.rows[0]?.reply.payload, { id: 'first' });
  });

  it('sends the stored reply when the broker redelivers a command handled before its reply went out', async () => {
    cutConnectionFor.add('cut');
    await send('cut');
    const [reply] = await waitFor(() => (repliesTo('cut').length > 0 ? repliesTo('cut') : undefined), {
      timeoutMs: 30_000,
      what: 'the reply after the reconnect',
    });
    assert.ok(consumer.isConnected());
    // Applied once (the redelivery found its inbox row), answered with the reply it stored.
    assert.equal(runs.get('cut'), 1);
    assert.deepEqual(
      (await handledThings(pool)).filter((id) => id === 'cut'),
      ['cut'],
    );
    const stored = await pool.query('select reply from kit_inbox where message_id = $1', ['cut']);
    assert.equal(reply?.properties.messageId, stored.rows[0]?.reply.messageId);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a second reply would be here by now
    assert.equal(repliesTo('cut').length, 1);
  });
});

// A consumer without the inbox (for handlers idempotent by themselves, in a service without
// PostgreSQL): the message is acknowledged once the handler returned, so a handler cut short by a lost
// connection runs again on the redelivery, and one that finished is not delivered again.
describe('kit consumer without the inbox', function () {
  this.timeout(60_000);
  const rabbit = { url: requireEnv('AMQP_URL') };
  const exchange = `kit.at-least-once-test.${randomSuffix()}`;
  const queue = `kit.at-least-once-test.${randomSuffix()}`;
  const connectionName = `kit-test ${queue}`;
  let consumer: RunningConsumer;
  const runs = new Map<string, number>();
  const finished: string[] = [];
  const cutConnectionFor = new Set<string>();

  before(async () => {
    consumer = await startConsumer(
      {
        name: queue,
        queue,
        bindings: [{ exchange, pattern: 'thing.made' }],
        handle: async (message: IncomingMessage) => {
          const { id } = message.payload as { id: string };
          runs.set(id, (runs.get(id) ?? 0) + 1);
          if (cutConnectionFor.delete(id)) await closeConnection(connectionName);
          finished.push(id);
        },
      },
      { service: 'kit-test', amqpUrl: rabbit.url, logger, firstRetryMs: 200 },
    );
  });

  after(async () => {
    await consumer?.close();
    await deleteConsumerQueues([queue], rabbit.url);
    await deleteExchange(exchange, rabbit.url);
  });

  it('runs a handler cut short again, and a finished one once', async () => {
    cutConnectionFor.add('cut');
    await publishThing(rabbit.url, exchange, 'thing.made', 'cut');
    await waitFor(() => (runs.get('cut') ?? 0) >= 2 || undefined, {
      timeoutMs: 30_000,
      what: 'the redelivery after the reconnect',
    });
    await publishThing(rabbit.url, exchange, 'thing.made', 'whole');
    // Delivered in order on one queue: once "marker" finished, an extra delivery of "whole" would have too.
    await publishThing(rabbit.url, exchange, 'thing.made', 'marker');
    await waitFor(() => finished.includes('marker') || undefined, { what: 'the marker handled' });
    assert.equal(runs.get('cut'), 2);
    assert.equal(runs.get('whole'), 1);
  });
});

/** A migrated database with a `things` table the handlers write to. */
async function thingsDatabase(name: string): Promise<{ database: TestDatabase; pool: Pool }> {
  const database = await createTestDatabase(name);
  await runMigrations({
    databaseUrl: database.url,
    dir: tempDir('kit-migrations-'),
    service: name,
  });
  const pool = createPgPool(database.url);
  await pool.query('create table things (id text primary key)');
  return { database, pool };
}

/** Publishes `{ id }` with message id `id`, persistent, and waits for the broker's confirm. */
async function publishThing(url: string, exchange: string, routingKey: string, id: string): Promise<void> {
  const connection = await connectRabbit(url, 'test-publisher');
  const channel = await connection.createConfirmChannel();
  channel.publish(exchange, routingKey, Buffer.from(JSON.stringify({ id })), {
    messageId: id,
    type: routingKey === 'thing.make' ? 'thing.make' : 'thing.made',
    persistent: true,
  });
  await channel.waitForConfirms();
  await connection.close();
}

const handledThings = async (pool: Pool) =>
  (await pool.query<{ id: string }>('select id from things order by id')).rows.map((row) => row.id);

const RABBITMQ_NODE = process.env.RABBITMQ_NODE ?? 'rabbit@localhost';
const rabbitmqctl = (...args: string[]) =>
  promisify(execFile)('rabbitmqctl', ['-q', '-n', RABBITMQ_NODE, ...args], { timeout: 30_000 });

/** Closes, from the broker's side, the connection named `name` (the CLI of the local broker). */
async function closeConnection(name: string): Promise<void> {
  const { stdout } = await rabbitmqctl('list_connections', 'pid', 'client_properties');
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`"connection_name","${name}"`))
    .map((line) => line.split('\t')[0]!);
  assert.equal(pids.length, 1, `one connection named ${name}`);
  await rabbitmqctl('close_connection', pids[0]!, 'reply window test');
}
