// A payments process SIGKILLed in the middle of a burst of top-ups: some webhooks are half-handled
// (money moved, event not stored yet, or stored and not published, or published and not marked).
// After the restart every completed top-up has exactly one event on the exchange (duplicates carry
// the same message id, and consumers' inboxes drop them) and no event announces anything else.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createTestQueue,
  deleteExchange,
  freePort,
  requireEnv,
  type SpawnedService,
  spawnService,
  startTestIssuer,
  type TestIssuer,
  type TestQueue,
  testExchangeName,
  waitFor,
} from '@shopstack/kit/testing';
import { paymentTopUpCompleted } from '@shopstack/proto/messages';
import { connectPaymentsDb, type PaymentsDb } from '../../src/adapters/mongo.js';
import { MongoOutbox } from '../../src/adapters/outbox.js';
import { mongoUrl, testDbName } from '../support/db.js';
import { serviceEnv } from '../support/env.js';
import { postRetrying } from '../support/retrying.js';

const TOP_UPS = 200;
const USERS = 20;
const WORKERS = 8;
const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));

describe('payments: events survive a SIGKILL in the middle of top-ups', function () {
  this.timeout(180_000);
  const dbName = testDbName();
  const exchange = testExchangeName('payments.events');
  let issuer: TestIssuer;
  let events: TestQueue;
  let db: PaymentsDb;
  let proc: SpawnedService;
  let env: Record<string, string>;

  before(async () => {
    issuer = await startTestIssuer();
    events = await createTestQueue(exchange, 'payment.#');
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    env = serviceEnv(dbName, issuer.jwksUrl, {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      AMQP_URL: requireEnv('AMQP_URL'),
      EVENTS_EXCHANGE: exchange,
      OUTBOX_RELAY: 'on',
    });
    proc = await spawnService(SERVICE_DIR, env);
    db = await connectPaymentsDb(mongoUrl(), dbName);
  });

  after(async () => {
    await proc?.stop();
    await events?.close();
    await deleteExchange(exchange).catch(() => {});
    await issuer?.close();
    await db?.db.dropDatabase();
    await db?.client.close();
  });

  it('publishes one event for each completed top-up, none missing, after a restart', async () => {
    const users = Array.from({ length: USERS }, (_, i) => `burst-${i}-${randomUUID()}`);
    const tokens = await Promise.all(users.map((user) => issuer.token(user)));
    const url = `${proc.httpUrl}/api/payments/topups`;
    let next = 0;
    const accepted: string[] = [];
    const worker = async () => {
      while (next < TOP_UPS) {
        const i = next++;
        const r = await postRetrying(url, tokens[i % USERS]!, `burst-${i}`, {
          currency: 'EUR',
          amount: String(100 + i),
          source: 'tok_visa',
        });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        accepted.push(r.body.id);
      }
    };
    const burst = Promise.all(Array.from({ length: WORKERS }, worker));

    // Killed while webhooks are being handled, preferably at a moment when a top-up's money has moved
    // and its payment is not completed yet (the window the event is written in); else late in the burst.
    const counts = async () => ({
      completed: await db.providerPayments.countDocuments({ status: 'completed' }),
      moved: await db.movements.countDocuments({ kind: 'topup', status: 'completed' }),
    });
    await waitFor(
      async () => {
        const { completed, moved } = await counts();
        return (completed >= 20 && moved > completed) || completed >= 150;
      },
      { timeoutMs: 60_000, intervalMs: 5, what: 'some top-ups to complete' },
    );
    await proc.kill();
    // Money moved but the payment not completed: the crash fell between the journal and the status.
    const { completed: completedAtKill, moved: movedAtKill } = await counts();
    const unpublishedAtKill = await db.outbox.countDocuments({ publishedAt: null });
    proc = await spawnService(SERVICE_DIR, env);
    await burst;

    assert.equal(new Set(accepted).size, TOP_UPS);
    await waitFor(
      async () => (await db.providerPayments.countDocuments({ status: 'completed' })) === TOP_UPS,
      { timeoutMs: 90_000, what: 'every top-up to complete after the restart' },
    );
    await waitFor(async () => (await db.outbox.countDocuments({ publishedAt: null })) === 0, {
      timeoutMs: 30_000,
      what: 'the outbox to drain',
    });
    await waitFor(() => new Set(events.messages.map((m) => m.properties.messageId)).size >= TOP_UPS, {
      timeoutMs: 30_000,
      what: 'every event to arrive',
    });

    const byMessageId = new Map<string, string>();
    for (const message of events.messages) {
      assert.equal(message.properties.type, paymentTopUpCompleted.type);
      const event = paymentTopUpCompleted.parse(JSON.parse(message.content.toString()));
      const messageId = MongoOutbox.messageId({
        operationId: event.paymentId,
        type: message.properties.type,
      });
      assert.equal(message.properties.messageId, messageId, 'a duplicate carries the same id');
      byMessageId.set(messageId, event.paymentId);
    }
    const completed = await db.providerPayments.find({ status: 'completed' }).toArray();
    assert.deepEqual([...byMessageId.values()].sort(), completed.map((p) => p._id).sort());
    for (const payment of completed) {
      const event = events.messages.find(
        (m) => m.properties.messageId === `${payment._id}:${paymentTopUpCompleted.type}`,
      )!;
      assert.equal(JSON.parse(event.content.toString()).amountMinor, String(payment.amount - payment.fee));
    }
    const duplicates = events.messages.length - byMessageId.size;
    console.log(
      `      at the kill: ${completedAtKill} of ${TOP_UPS} top-ups complete, ${movedAtKill} with their money moved, ` +
        `${unpublishedAtKill} events stored and unpublished; ${events.messages.length} messages, ${duplicates} duplicate(s)`,
    );
  });
});
