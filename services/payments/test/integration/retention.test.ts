// Retention on payments' MongoDB: the purge deletes exactly the documents past their age (published
// outbox documents, long-expired outbox claims, past days' limit counters, done sandbox requests),
// never an unpublished outbox document and never the money's history, in bounded batches; a retry of
// a top-up whose counter entry was purged counts nothing again; and the back office's
// retention.requested event on the exchange makes the running service purge, end to end, by the ages
// its environment sets (shorter than the defaults).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connectRabbit, declareExchange, loadConfig } from '@shopstack/kit';
import {
  deleteConsumerQueues,
  deleteExchange,
  requireEnv,
  testExchangeName,
  waitFor,
} from '@shopstack/kit/testing';
import { retentionRequested } from '@shopstack/proto/messages';
import type { OutboxDoc } from '../../src/adapters/outbox.js';
import { SandboxProvider } from '../../src/adapters/providers/sandbox.js';
import { purgeAllDocuments, purgeDocuments } from '../../src/adapters/retention.js';
import { paymentsRetentionRules } from '../../src/adapters/retention-rules.js';
import type { PaymentsApp } from '../../src/app/payments.js';
import { paymentsConfigSchema } from '../../src/config.js';
import { createTestApp, fund } from '../support/app.js';
import { type RestFixture, startRestFixture } from '../support/rest.js';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
/** The ages a payments service runs with when its environment does not say (7 days each). */
const AGES = loadConfig(paymentsConfigSchema, { MONGO_URL: 'mongodb://127.0.0.1:9/unused' });

function outboxDoc(id: string, createdDaysAgo: number, publishedDaysAgo: number | null): OutboxDoc {
  return {
    _id: id,
    exchange: 'x',
    routingKey: 'payment.topup_completed',
    type: 'payment.topup_completed',
    payload: {},
    headers: {},
    createdAt: daysAgo(createdDaysAgo),
    publishedAt: publishedDaysAgo === null ? null : daysAgo(publishedDaysAgo),
    pending: publishedDaysAgo === null,
  };
}

const ids = async (collection: { find(filter: object): { toArray(): Promise<{ _id: unknown }[]> } }) =>
  (await collection.find({}).toArray()).map((doc) => String(doc._id)).sort();

describe('payments: retention', function () {
  this.timeout(60_000);

  describe('the purge', () => {
    let app: PaymentsApp & { drop(): Promise<void> };
    let sandbox: SandboxProvider;

    before(async () => {
      app = await createTestApp();
      sandbox = new SandboxProvider({
        db: app.db.db,
        secret: 'test-secret',
        webhookUrl: () => 'http://127.0.0.1:9/',
      });
    });
    after(async () => {
      await app?.drop();
    });

    it('deletes exactly what is past its age, never an unpublished event nor the ledger', async () => {
      const { db } = app;
      // Money history from a real top-up, backdated: it stays whatever its age.
      await fund(app, `ann-${randomUUID()}`, 'EUR', 5_000n);
      await db.journal.updateMany({}, { $set: { at: daysAgo(400) } });
      await db.providerPayments.updateMany(
        {},
        { $set: { createdAt: daysAgo(400), updatedAt: daysAgo(400) } },
      );
      await db.movements.updateMany({}, { $set: { createdAt: daysAgo(400), updatedAt: daysAgo(400) } });
      const ledger = {
        journal: await db.journal.countDocuments(),
        movements: await db.movements.countDocuments(),
        payments: await db.providerPayments.countDocuments(),
        accounts: await db.accounts.countDocuments(),
      };
      await db.outbox.deleteMany({});
      await db.outbox.insertMany([
        outboxDoc('old-published', 40, 8),
        outboxDoc('just-under', 40, 6),
        outboxDoc('never-published', 40, null),
        outboxDoc('fresh', 0, 0),
      ]);
      await db.outboxClaims.insertMany([
        { _id: 'stale#0', messageId: 'stale', generation: 0, until: daysAgo(8) },
        { _id: 'recent#0', messageId: 'recent', generation: 0, until: daysAgo(1) },
      ]);
      await db.limitLog.deleteMany({});
      await db.limitLog.insertMany([
        { _id: 'limit-8', stream: 's8', seq: 1, amount: 1n, used: 1n, at: daysAgo(8) },
        { _id: 'limit-6', stream: 's6', seq: 1, amount: 1n, used: 1n, at: daysAgo(6) },
        { _id: 'limit-0', stream: 's0', seq: 1, amount: 1n, used: 1n, at: daysAgo(0) },
      ]);
      const requests = db.db.collection('sandbox_requests');
      await requests.deleteMany({});
      const request = (id: string, delivered: boolean, outcome: string, deliveredDaysAgo: number) => ({
        _id: id as never,
        operation: 'charge',
        amount: 100n,
        currency: 'EUR',
        outcome,
        events: [],
        next: 1,
        deliverAt: daysAgo(deliveredDaysAgo),
        attempts: 0,
        delivered,
        createdAt: daysAgo(deliveredDaysAgo),
      });
      await requests.insertMany([
        request('delivered-8', true, 'succeeded', 8),
        request('delivered-6', true, 'succeeded', 6),
        request('unanswered-8', false, 'never', 8),
        // Still owed a webhook (the receiver kept failing): kept however old.
        request('undelivered-8', false, 'succeeded', 8),
      ]);

      const deleted = await purgeAllDocuments(paymentsRetentionRules(db, sandbox, AGES));
      assert.deepEqual(deleted, { outbox: 1, 'outbox claims': 1, 'limit log': 1, 'sandbox requests': 2 });
      assert.deepEqual(await ids(db.outbox), ['fresh', 'just-under', 'never-published']);
      assert.deepEqual(await ids(db.outboxClaims), ['recent#0']);
      assert.deepEqual(await ids(db.limitLog), ['limit-0', 'limit-6']);
      assert.deepEqual(await ids(requests), ['delivered-6', 'undelivered-8']);
      assert.deepEqual(
        {
          journal: await db.journal.countDocuments(),
          movements: await db.movements.countDocuments(),
          payments: await db.providerPayments.countDocuments(),
          accounts: await db.accounts.countDocuments(),
        },
        ledger,
      );
      // A second run finds nothing more.
      assert.deepEqual(await purgeAllDocuments(paymentsRetentionRules(db, sandbox, AGES)), {
        outbox: 0,
        'outbox claims': 0,
        'limit log': 0,
        'sandbox requests': 0,
      });
    });

    it('purges in bounded batches: one run deletes at most batch × batches documents', async () => {
      const { db } = app;
      await db.outbox.deleteMany({});
      await db.outbox.insertMany([0, 1, 2, 3, 4].map((i) => outboxDoc(`old-${i}`, 40, 30)));
      const rule = paymentsRetentionRules(db, undefined, AGES).find((r) => r.name === 'outbox')!;
      assert.equal(await purgeDocuments(rule, { batchSize: 2, maxBatches: 2 }), 4);
      assert.equal(await purgeDocuments(rule, { batchSize: 2, maxBatches: 2 }), 1);
      assert.equal(await purgeDocuments(rule, { batchSize: 2, maxBatches: 2 }), 0);
    });

    it('a retry of a top-up whose day counter was purged counts nothing again', async () => {
      const { db } = app;
      const userId = `bob-${randomUUID()}`;
      const command = {
        userId,
        idempotencyKey: randomUUID(),
        currency: 'EUR',
        amount: 700n,
        token: 'tok_ok',
      };
      const first = await app.providerPayments.topUp(command);
      const counted = await db.limitLog.findOne({ _id: first._id });
      assert.equal(counted?.amount, 700n);
      // The day is long over and the nightly run took its counter entries.
      await db.limitLog.updateMany({ _id: first._id }, { $set: { at: daysAgo(8) } });
      await purgeDocuments(paymentsRetentionRules(db, undefined, AGES).find((r) => r.name === 'limit log')!);
      assert.equal(await db.limitLog.countDocuments({ _id: first._id }), 0);
      const again = await app.providerPayments.topUp(command);
      assert.equal(again._id, first._id);
      assert.equal(await db.limitLog.countDocuments({ stream: { $regex: userId } }), 0, 'not counted again');
    });
  });

  describe('asked by the back office', () => {
    const exchange = testExchangeName('payments.retention');
    let fixture: RestFixture;

    before(async () => {
      // Shorter ages than the defaults (7 days each): the run must go by the service's settings.
      fixture = await startRestFixture({
        AMQP_URL: requireEnv('AMQP_URL'),
        EVENTS_EXCHANGE: exchange,
        OUTBOX_RETENTION_DAYS: '3',
        LIMIT_LOG_RETENTION_DAYS: '2',
      });
    });
    after(async () => {
      await fixture?.close();
      await deleteConsumerQueues([`payments.retention.${exchange}`]).catch(() => {});
      await deleteExchange(exchange).catch(() => {});
    });

    it('a retention.requested event on the exchange purges the service’s old documents, by its configured ages', async () => {
      const { outbox, limitLog } = fixture.service.app.db;
      await outbox.insertMany([
        outboxDoc('ancient-published', 60, 60),
        outboxDoc('ancient-unpublished', 60, null),
        // Past OUTBOX_RETENTION_DAYS=3, within the default 7.
        outboxDoc('four-days-published', 5, 4),
        outboxDoc('recent-published', 1, 1),
      ]);
      await limitLog.insertMany([
        // Past LIMIT_LOG_RETENTION_DAYS=2, within the default 7; and one a day old.
        { _id: 'limit-3', stream: 'r3', seq: 1, amount: 1n, used: 1n, at: daysAgo(3) },
        { _id: 'limit-1', stream: 'r1', seq: 1, amount: 1n, used: 1n, at: daysAgo(1) },
      ]);
      const connection = await connectRabbit(requireEnv('AMQP_URL'), 'payments-retention-test');
      try {
        const channel = await connection.createConfirmChannel();
        await declareExchange(channel, exchange);
        const payload = retentionRequested.encode({
          runId: `run-${randomUUID()}`,
          requestedAt: new Date().toISOString(),
        });
        channel.publish(exchange, retentionRequested.type, Buffer.from(JSON.stringify(payload)), {
          messageId: randomUUID(),
          type: retentionRequested.type,
          contentType: 'application/json',
          persistent: true,
        });
        await channel.waitForConfirms();
      } finally {
        await connection.close();
      }
      // The run purges the outbox before the limit log: both gone means the run got that far.
      await waitFor(
        async () =>
          (await outbox.countDocuments({ _id: { $in: ['ancient-published', 'four-days-published'] } })) +
            (await limitLog.countDocuments({ _id: 'limit-3' })) ===
            0 || undefined,
        { what: 'payments to purge its documents past the configured ages' },
      );
      assert.deepEqual(
        (
          await outbox
            .find({ _id: { $in: ['ancient-unpublished', 'four-days-published', 'recent-published'] } })
            .toArray()
        )
          .map((doc) => doc._id)
          .sort(),
        ['ancient-unpublished', 'recent-published'],
      );
      assert.deepEqual(
        (await limitLog.find({ _id: { $in: ['limit-3', 'limit-1'] } }).toArray()).map((doc) => doc._id),
        ['limit-1'],
      );
    });
  });
});
