// The kit's consumer: its queues are quorum queues, and a dead-lettered message can be replayed
// once its cause is fixed. (Surviving a broker restart is tested on a private broker with the whole
// checkout: services/orders/test/integration/broker-restart.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectRabbit,
  createLogger,
  createPgPool,
  deadLetterQueueOf,
  type Pool,
  type RunningConsumer,
  replayDeadLetters,
  runMigrations,
  startConsumer,
} from '../src/index.js';
import {
  createTestDatabase,
  deleteConsumerQueues,
  deleteExchange,
  randomSuffix,
  requireEnv,
  type TestDatabase,
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

  const publish = async (id: string) => {
    const connection = await connectRabbit(rabbit.url, 'test-publisher');
    const channel = await connection.createConfirmChannel();
    channel.publish(
      exchange,
      id.startsWith('bad') ? 'thing.bad' : 'thing.made',
      Buffer.from(JSON.stringify({ id })),
      {
        messageId: id,
        type: 'thing.made',
        persistent: true,
      },
    );
    await channel.waitForConfirms();
    await connection.close();
  };
  const handled = async () =>
    (await pool.query<{ id: string }>('select id from things order by id')).rows.map((row) => row.id);

  before(async () => {
    database = await createTestDatabase('kit_consumer');
    await runMigrations({
      databaseUrl: database.url,
      dir: mkdtempSync(join(tmpdir(), 'kit-migrations-')),
      service: 'kit_consumer',
    });
    pool = createPgPool(database.url);
    await pool.query('create table things (id text primary key)');
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
