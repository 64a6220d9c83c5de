// Money enters and leaves only through a provider the shop chose, and at most a day's limit of it:
// a shop without a provider refuses top-ups and withdrawals (the sandbox is never on by default), and
// with one every user may top up / withdraw up to the configured amount per currency and UTC day.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@shopstack/kit';
import { httpClient, startTestIssuer } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { sign } from '../../src/adapters/providers/webhook-signature.js';
import { paymentsConfigSchema } from '../../src/config.js';
import { startPaymentsService } from '../../src/service.js';
import { mongoUrl, testDbName } from '../support/db.js';
import { serviceEnv, WEBHOOK_SECRET } from '../support/env.js';
import { type RestFixture, startRestFixture } from '../support/rest.js';

const problem = (code: string) => `https://shopstack.dev/problems/${code}`;

describe('payments: where money comes from', function () {
  this.timeout(60_000);

  describe('a shop that configured no provider', () => {
    it('has none by default, refuses top-ups and withdrawals with a problem, and takes no webhooks', async () => {
      const dbName = testDbName();
      const issuer = await startTestIssuer();
      const env: Record<string, string | undefined> = serviceEnv(dbName, issuer.jwksUrl);
      delete env.PAYMENT_PROVIDER;
      delete env.SANDBOX_WEBHOOK_SECRET;
      const service = await startPaymentsService(loadConfig(paymentsConfigSchema, env));
      try {
        const call = httpClient(service.httpUrl);
        const token = await issuer.token(`mallory-${randomUUID()}`);
        for (const [path, body] of [
          ['/api/payments/topups', { currency: 'EUR', amount: '100000', source: 'tok_visa' }],
          ['/api/payments/withdrawals', { currency: 'EUR', amount: '100', destination: 'tok_visa' }],
        ] as const) {
          const refused = await call('POST', path, { token, body });
          assert.equal(refused.status, 409, JSON.stringify(refused.body));
          assert.match(refused.type, /application\/problem\+json/);
          assert.equal(refused.body.type, problem('no-payment-provider'));
          assert.match(refused.body.detail, /no payment provider/);
        }
        const event = JSON.stringify({ paymentId: 'pp_x', outcome: 'succeeded' });
        const webhook = await call('POST', '/api/payments/webhooks/sandbox', {
          rawBody: event,
          key: null,
          headers: { 'sandbox-signature': sign(WEBHOOK_SECRET, event) },
        });
        assert.equal(webhook.status, 404);
        const db = service.app.db;
        assert.equal(await db.providerPayments.countDocuments(), 0);
        assert.equal(await db.journal.countDocuments(), 0);
        assert.equal(await db.db.collection('sandbox_requests').countDocuments(), 0);
      } finally {
        await service.close();
        await issuer.close();
        const mongo = await MongoClient.connect(mongoUrl());
        await mongo.db(dbName).dropDatabase();
        await mongo.close();
      }
    });

    it('will not start the sandbox without its webhook secret', () => {
      assert.throws(
        () =>
          loadConfig(paymentsConfigSchema, {
            ...serviceEnv('x', 'http://127.0.0.1:9/'),
            SANDBOX_WEBHOOK_SECRET: undefined,
          }),
        /SANDBOX_WEBHOOK_SECRET/,
      );
    });
  });

  describe('daily limits per user', () => {
    let fixture: RestFixture;
    const TOPUP_LIMIT = 10_000;
    const WITHDRAWAL_LIMIT = 3_000;

    before(async () => {
      fixture = await startRestFixture({
        TOPUP_DAILY_LIMIT_MINOR: String(TOPUP_LIMIT),
        WITHDRAWAL_DAILY_LIMIT_MINOR: String(WITHDRAWAL_LIMIT),
      });
    });

    after(async () => {
      await fixture?.close();
    });

    const topUp = (token: string, amount: number, key?: string, source = 'tok_visa') =>
      fixture.call('POST', '/api/payments/topups', {
        token,
        body: { currency: 'EUR', amount: String(amount), source },
        ...(key ? { key } : {}),
      });

    function assertOverLimit(response: Awaited<ReturnType<RestFixture['call']>>, remaining: number) {
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.match(response.type, /application\/problem\+json/);
      assert.equal(response.body.type, problem('daily-limit-exceeded'));
      assert.deepEqual(
        response.body.errors.map((e: { field: string }) => e.field),
        ['amount'],
      );
      assert.match(response.body.detail, new RegExp(`${remaining} remain today`));
    }

    it('accepts top-ups up to the limit, counts a replay once, and refuses the rest changing nothing', async () => {
      const token = await fixture.issuer.token(`ann-${randomUUID()}`);
      const key = randomUUID();
      const first = await topUp(token, 6_000, key);
      assert.equal(first.status, 202);
      const replay = await topUp(token, 6_000, key);
      assert.equal(replay.body.id, first.body.id);
      const rest = await topUp(token, 4_000);
      assert.equal(rest.status, 202, 'exactly the limit is fine');
      for (const id of [first.body.id, rest.body.id]) {
        await fixture.waitForStatus(token, `/api/payments/topups/${id}`, 'completed');
      }
      const before = await fixture.snapshot();
      assertOverLimit(await topUp(token, 1), 0);
      assert.deepEqual(await fixture.snapshot(), before);
      // Another user has a limit of their own.
      const other = await fixture.issuer.token(`ben-${randomUUID()}`);
      assert.equal((await topUp(other, TOPUP_LIMIT)).status, 202);
    });

    it('lets exactly as many concurrent top-ups through as the limit allows', async () => {
      const userId = `cas-${randomUUID()}`;
      const token = await fixture.issuer.token(userId);
      const answers = await Promise.all(Array.from({ length: 6 }, () => topUp(token, 3_000)));
      assert.deepEqual(answers.map((a) => a.status).sort(), [202, 202, 202, 400, 400, 400]);
      const stored = await fixture.service.app.db.providerPayments.countDocuments({ userId, kind: 'topup' });
      assert.equal(stored, 3);
    });

    it('gives a declined top-up its share back', async () => {
      const token = await fixture.issuer.token(`dee-${randomUUID()}`);
      const declined = await topUp(token, TOPUP_LIMIT, undefined, 'tok_decline');
      assert.equal(declined.status, 202);
      await fixture.waitForStatus(token, `/api/payments/topups/${declined.body.id}`, 'declined');
      const again = await topUp(token, TOPUP_LIMIT);
      assert.equal(again.status, 202, JSON.stringify(again.body));
    });

    it('caps withdrawals the same way', async () => {
      const token = await fixture.issuer.token(`eve-${randomUUID()}`);
      const funded = await topUp(token, 9_000);
      await fixture.waitForStatus(token, `/api/payments/topups/${funded.body.id}`, 'completed');
      const withdraw = (amount: number) =>
        fixture.call('POST', '/api/payments/withdrawals', {
          token,
          body: { currency: 'EUR', amount: String(amount), destination: 'tok_visa' },
        });
      const first = await withdraw(2_500);
      assert.equal(first.status, 202);
      await fixture.waitForStatus(token, `/api/payments/withdrawals/${first.body.id}`, 'completed');
      const before = await fixture.snapshot();
      assertOverLimit(await withdraw(501), 500);
      assert.deepEqual(await fixture.snapshot(), before);
      assert.equal((await withdraw(500)).status, 202);
    });
  });
});
