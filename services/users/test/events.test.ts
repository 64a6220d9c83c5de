// Events leave through the outbox: `user.registered` arrives on the broker exactly once per
// registration even when the relay is stopped or the process restarted in the middle of a batch.
// The hard-crash case is covered too: nothing is lost, and a republished event carries the same
// message id, so an inbox consumer handles it once.
import assert from 'node:assert/strict';
import {
  connectRabbit,
  consumeWithInbox,
  createLogger,
  createPgPool,
  declareQueue,
  OutboxRelay,
  type Pool,
  type PoolClient,
} from '@shopstack/kit';
import {
  createTestDatabase,
  createTestQueue,
  deleteExchange,
  requestJson,
  requireEnv,
  type TestDatabase,
  type TestQueue,
  testExchangeName,
  testGrpcEnv,
  waitFor,
} from '@shopstack/kit/testing';
import { usersConfigSchema } from '../src/config.js';
import { startUsersService } from '../src/service.js';
import { type Harness, PASSWORD, startHarness, uniqueEmail } from './support/harness.js';
import { startUsersProcess, type UsersProcess } from './support/process.js';

const logger = createLogger({ service: 'users-test', level: 'silent' });

/** Holds row locks on every unpublished outbox row, so a relay publishes them but cannot mark them. */
async function lockUnpublished(pool: Pool): Promise<{ count: number; release(): Promise<void> }> {
  const client: PoolClient = await pool.connect();
  await client.query('begin');
  const { rowCount } = await client.query(
    'select position from kit_outbox where published_at is null for update',
  );
  return {
    count: rowCount ?? 0,
    async release() {
      await client.query('rollback');
      client.release();
    },
  };
}

const registeredIds = (queue: TestQueue) =>
  queue.messages
    .filter((m) => m.properties.type === 'user.registered')
    .map((m) => JSON.parse(m.content.toString()).userId as string);

function assertExactlyOnce(ids: string[], expected: string[]) {
  assert.equal(
    ids.length,
    expected.length,
    `${ids.length} user.registered messages for ${expected.length} users`,
  );
  assert.deepEqual([...ids].sort(), [...expected].sort());
}

describe('users: events through the outbox', () => {
  describe('relay stopped in the middle of a batch (in process)', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ OUTBOX_RELAY: 'off' });
    });
    after(() => h?.close());

    it('publishes user.registered exactly once per registration', async () => {
      const first = [];
      for (let i = 0; i < 8; i++) first.push(await h.register());
      const lock = await lockUnpublished(h.service.deps.pool);
      assert.equal(lock.count, 16, 'registered + verification-requested per user');

      const relay = new OutboxRelay({ pool: h.service.deps.pool, amqpUrl: requireEnv('AMQP_URL'), logger });
      relay.start();
      // The batch is on the broker, confirmed, but its rows cannot be marked yet: mid-publish.
      await waitFor(() => registeredIds(h.events).length === 8, { what: 'batch published' });
      const second = [];
      for (let i = 0; i < 8; i++) second.push(await h.register());
      const stopped = relay.stop();
      await lock.release();
      await stopped;

      const restarted = new OutboxRelay({
        pool: h.service.deps.pool,
        amqpUrl: requireEnv('AMQP_URL'),
        logger,
      });
      restarted.start();
      const all = [...first, ...second].map((u) => u.id);
      await waitFor(
        async () => {
          const { rows } = await h.service.deps.pool.query(
            'select count(*)::int as n from kit_outbox where published_at is null',
          );
          return rows[0].n === 0 && registeredIds(h.events).length >= all.length;
        },
        { what: 'outbox drained' },
      );
      await restarted.stop();
      assertExactlyOnce(registeredIds(h.events), all);
      const message = h.events.messages.find((m) => m.properties.type === 'user.registered')!;
      assert.equal(message.fields.routingKey, 'user.registered');
      assert.equal(message.properties.deliveryMode, 2, 'persistent');
      assert.match(message.properties.messageId, /^[0-9a-f-]{36}$/);
    });
  });

  describe('the service process restarted in the middle of a batch', () => {
    let database: TestDatabase;
    let pool: Pool;
    let queue: TestQueue;
    const exchange = testExchangeName('users.events');
    let running: UsersProcess | undefined;
    let env: Record<string, string>;

    before(async () => {
      database = await createTestDatabase('users_restart');
      queue = await createTestQueue(exchange, 'user.*');
      pool = createPgPool(database.url);
      env = {
        DATABASE_URL: database.url,
        AMQP_URL: requireEnv('AMQP_URL'),
        EVENTS_EXCHANGE: exchange,
        ARGON2_MEMORY_KIB: '4096',
        ARGON2_TIME_COST: '1',
      };
    });
    after(async () => {
      await running?.stop('SIGKILL');
      await queue?.close();
      await pool?.end();
      await database?.drop();
      await deleteExchange(exchange);
    });

    const registerOn = async (httpUrl: string, count: number) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const response = await requestJson(`${httpUrl}/api/users/register`, {
          body: { email: uniqueEmail('proc'), password: PASSWORD },
        });
        assert.equal(response.status, 201);
        ids.push(response.body.id);
      }
      return ids;
    };

    /** Registrations made while no relay runs, so their events wait in the outbox. */
    const registerWithoutRelay = async (count: number) => {
      const service = await startUsersService(
        usersConfigSchema.parse({
          ...env,
          HTTP_PORT: '0',
          GRPC_PORT: '0',
          ...testGrpcEnv('users'),
          OUTBOX_RELAY: 'off',
          LOG_LEVEL: 'silent',
        }),
      );
      try {
        return await registerOn(service.httpUrl, count);
      } finally {
        await service.close();
      }
    };

    const drained = () =>
      waitFor(
        async () => {
          const { rows } = await pool.query(
            'select count(*)::int as n from kit_outbox where published_at is null',
          );
          return rows[0].n === 0;
        },
        { what: 'outbox drained', timeoutMs: 20_000 },
      );

    it('SIGTERM drains the batch in flight: exactly once across the restart', async () => {
      const waiting = await registerWithoutRelay(5);
      const held = await lockUnpublished(pool);
      assert.equal(held.count, 10);
      running = await startUsersProcess(env);
      // The relay has published the held rows and got the confirms; it cannot mark them yet.
      await waitFor(() => registeredIds(queue).length === 5, { what: 'held batch published' });
      const exitCode = running.stop('SIGTERM');
      await held.release();
      assert.equal(await exitCode, 0, running.output());

      running = await startUsersProcess(env);
      const after = await registerOn(running.httpUrl, 3);
      await drained();
      await waitFor(() => registeredIds(queue).length >= 8, { what: 'all events' });
      assertExactlyOnce(registeredIds(queue), [...waiting, ...after]);
      await running.stop('SIGTERM');
      running = undefined;
    });

    it('SIGKILL between confirm and mark: nothing lost, the copy has the same id and the inbox drops it', async () => {
      queue.messages.length = 0;
      const connection = await connectRabbit(requireEnv('AMQP_URL'));
      const channel = await connection.createChannel();
      const consumerQueue = `users.restart.consumer.${Date.now()}`;
      await declareQueue(channel, {
        queue: consumerQueue,
        bindings: [{ exchange, pattern: 'user.registered' }],
      });
      await pool.query('create table welcomed (user_id uuid)');
      await consumeWithInbox({
        channel,
        queue: consumerQueue,
        pool,
        consumer: 'welcome-mail',
        logger,
        handle: async (client, message) => {
          await client.query('insert into welcomed values ($1)', [
            (message.payload as { userId: string }).userId,
          ]);
        },
      });

      const waiting = await registerWithoutRelay(4);
      const held = await lockUnpublished(pool);
      assert.equal(held.count, 8);
      running = await startUsersProcess(env);
      await waitFor(() => registeredIds(queue).length === 4, { what: 'held batch published' });
      await running.stop('SIGKILL');
      running = undefined;
      // PostgreSQL would still run the dead process's pending UPDATE once our lock goes; end those
      // sessions first, so the state is that of a crash before the mark was sent.
      await pool.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'users'",
      );
      await held.release();

      running = await startUsersProcess(env);
      await drained();
      await waitFor(() => registeredIds(queue).length >= 8, { what: 'the batch published again' });
      const ids = registeredIds(queue);
      assert.equal(ids.length, 8, 'the unmarked batch went out a second time');
      assert.deepEqual([...new Set(ids)].sort(), [...waiting].sort(), 'nothing lost');
      const messageIdsPerUser = new Map<string, Set<string>>();
      for (const m of queue.messages.filter((m) => m.properties.type === 'user.registered')) {
        const userId = JSON.parse(m.content.toString()).userId as string;
        messageIdsPerUser.set(
          userId,
          (messageIdsPerUser.get(userId) ?? new Set()).add(m.properties.messageId),
        );
      }
      for (const [userId, messageIds] of messageIdsPerUser) assert.equal(messageIds.size, 1, userId);

      await waitFor(
        async () => {
          const inbox = await pool.query(
            "select count(*)::int as n from kit_inbox where consumer = 'welcome-mail'",
          );
          const check = await channel.checkQueue(consumerQueue);
          return inbox.rows[0].n === 4 && check.messageCount === 0;
        },
        { what: 'consumer caught up' },
      );
      const { rows } = await pool.query('select user_id from welcomed order by user_id');
      assert.deepEqual(
        rows.map((r) => r.user_id),
        [...waiting].sort(),
        'each user welcomed once',
      );
      await channel.deleteQueue(consumerQueue);
      await channel.deleteQueue(`${consumerQueue}.dead`);
      await connection.close();
      await running.stop('SIGTERM');
      running = undefined;
    });
  });
});
