// Payments' money events end to end: a real payments service publishes through its outbox onto the
// run's exchange, this service consumes them through its inbox and mails the customer. Real users
// (tokens, addresses), FerretDB, RabbitMQ, PostgreSQL and Mailpit.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@shopstack/kit';
import { httpClient, requireEnv, testGrpcEnv, waitFor } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { paymentsConfigSchema } from '../../payments/src/config.js';
import { type PaymentsService, startPaymentsService } from '../../payments/src/service.js';
import { type Harness, startHarness } from './support/harness.js';

describe('notifications: money events from the real payments service', function () {
  this.timeout(60_000);
  let h: Harness;
  let payments: PaymentsService;
  const paymentsDb = `notifications_payments_${randomUUID().slice(0, 8)}`;

  before(async () => {
    h = await startHarness();
    payments = await startPaymentsService(
      loadConfig(paymentsConfigSchema, {
        HOST: '127.0.0.1',
        HTTP_PORT: '0',
        ...testGrpcEnv('payments'),
        GRPC_PORT: '0',
        LOG_LEVEL: 'silent',
        MONGO_URL: requireEnv('MONGO_URL'),
        MONGO_DB: paymentsDb,
        JWKS_URL: h.users.url('/.well-known/jwks.json'),
        AMQP_URL: requireEnv('AMQP_URL'),
        EVENTS_EXCHANGE: h.users.exchange,
        PAYMENT_PROVIDER: 'sandbox',
        SANDBOX_WEBHOOK_SECRET: 'sandbox-test-secret-0123456789',
        SANDBOX_DELAY_MS: '20',
      }),
    );
  });

  after(async () => {
    await payments?.close();
    await h?.stop();
    const mongo = await MongoClient.connect(requireEnv('MONGO_URL'));
    await mongo.db(paymentsDb).dropDatabase();
    await mongo.close();
  });

  it('mails the customer once for a top-up, and the receiver of a transfer', async () => {
    const call = httpClient(payments.httpUrl);
    const [alice, bob] = [await h.users.register(), await h.users.register()];
    const aliceToken = (await h.users.login(alice.email, alice.password)).accessToken;
    const bobToken = (await h.users.login(bob.email, bob.password)).accessToken;
    for (const [token, amount] of [
      [aliceToken, '5000'],
      [bobToken, '100'],
    ] as const) {
      const topUp = await call('POST', '/api/payments/topups', {
        token,
        body: { currency: 'EUR', amount, source: 'tok_visa' },
      });
      assert.equal(topUp.status, 202, JSON.stringify(topUp.body));
    }
    const [topUpMail] = await h.mail.waitForMail(alice.email, { subject: /Top-up completed/ });
    assert.match(topUpMail!.text, /50[.,]00/);

    const transfer = await call('POST', '/api/payments/transfers', {
      token: aliceToken,
      body: { toUserId: bob.id, currency: 'EUR', amount: '1234' },
    });
    assert.equal(transfer.body.status, 'completed', JSON.stringify(transfer.body));
    const [transferMail] = await h.mail.waitForMail(bob.email, { subject: /You received a transfer/ });
    assert.match(transferMail!.text, /12[.,]34/);

    // Each event became one delivery: the inbox holds each message id once.
    const received = async (userId: string) =>
      (
        await h.service.deps.pool.query(
          "select template, status from deliveries where user_id = $1 and template = 'payment_received'",
          [userId],
        )
      ).rows;
    await waitFor(async () => (await received(bob.id)).length === 2, { what: "bob's two deliveries" });
    assert.equal((await received(alice.id)).length, 1, 'the sender of a transfer is not told it arrived');
    assert.equal((await received(bob.id)).length, 2, 'his top-up and the transfer');
  });
});
