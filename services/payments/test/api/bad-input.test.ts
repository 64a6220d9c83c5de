// Bad input everywhere on the REST API: each request gets a problem+json 400 (stable type URI, title,
// status, detail and the offending field) and the database is exactly as before. Also forged webhooks.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { httpClient } from '@shopstack/kit/testing';
import { sign } from '../../src/adapters/providers/webhook-signature.js';
import { WEBHOOK_SECRET } from '../support/env.js';
import { type RestFixture, startRestFixture } from '../support/rest.js';

describe('payments REST API: bad input', function () {
  this.timeout(60_000);
  let fixture: RestFixture;
  let call: ReturnType<typeof httpClient>;
  const alice = `alice-${randomUUID()}`;
  let aliceToken: string;
  let aliceAccount: string;
  const snapshot = () => fixture.snapshot();
  const topUp = (token: string, amount: string, source?: string) => fixture.topUp(token, amount, source);

  before(async () => {
    fixture = await startRestFixture();
    call = fixture.call;
    aliceToken = await fixture.issuer.token(alice);
    const funded = await topUp(aliceToken, '10000');
    await fixture.waitForStatus(aliceToken, `/api/payments/topups/${funded}`, 'completed');
    aliceAccount = (await call('GET', '/api/payments/accounts', { token: aliceToken })).body.accounts[0].id;
  });

  after(async () => {
    await fixture?.close();
  });

  describe('bad input: problem+json 400, nothing changes', () => {
    const cases: {
      name: string;
      path: string;
      body?: unknown;
      rawBody?: string;
      key?: string | null;
      field: string;
    }[] = [
      {
        name: 'negative amount',
        path: '/api/payments/transfers',
        body: { toUserId: 'x', currency: 'EUR', amount: -5 },
        field: 'amount',
      },
      {
        name: 'zero amount',
        path: '/api/payments/transfers',
        body: { toUserId: 'x', currency: 'EUR', amount: '0' },
        field: 'amount',
      },
      {
        name: 'fractional amount',
        path: '/api/payments/transfers',
        body: { toUserId: 'x', currency: 'EUR', amount: 1.5 },
        field: 'amount',
      },
      {
        name: 'amount beyond the cap',
        path: '/api/payments/topups',
        body: { currency: 'EUR', amount: '1000000000000001', source: 'tok_visa' },
        field: 'amount',
      },
      {
        name: 'amount in exponent notation',
        path: '/api/payments/topups',
        body: { currency: 'EUR', amount: '1e3', source: 'tok_visa' },
        field: 'amount',
      },
      {
        name: 'lower-case currency',
        path: '/api/payments/accounts',
        body: { currency: 'eur' },
        field: 'currency',
      },
      {
        name: 'unsupported currency',
        path: '/api/payments/topups',
        body: { currency: 'XYZ', amount: 5, source: 'tok_visa' },
        field: 'currency',
      },
      {
        name: 'missing recipient',
        path: '/api/payments/transfers',
        body: { currency: 'EUR', amount: 5 },
        field: 'toUserId',
      },
      {
        name: 'unknown field',
        path: '/api/payments/transfers',
        body: { toUserId: 'x', currency: 'EUR', amount: 5, fee: 0 },
        field: 'body',
      },
      {
        name: 'malformed card token',
        path: '/api/payments/topups',
        body: { currency: 'EUR', amount: 5, source: '4242 4242' },
        field: 'source',
      },
      { name: 'malformed JSON', path: '/api/payments/transfers', rawBody: '{"amount": ', field: 'body' },
      {
        name: 'missing idempotency key',
        path: '/api/payments/topups',
        body: { currency: 'EUR', amount: 5, source: 'tok_visa' },
        key: null,
        field: 'Idempotency-Key',
      },
      {
        name: 'malformed idempotency key',
        path: '/api/payments/topups',
        body: { currency: 'EUR', amount: 5, source: 'tok_visa' },
        key: 'has spaces in it',
        field: 'Idempotency-Key',
      },
      {
        name: 'transfer to yourself',
        path: '/api/payments/transfers',
        body: { toUserId: 'SELF', currency: 'EUR', amount: 5 },
        field: 'toUserId',
      },
      {
        name: 'transfer to someone without an account',
        path: '/api/payments/transfers',
        body: { toUserId: 'nobody', currency: 'EUR', amount: 5 },
        field: 'toUserId',
      },
      {
        name: 'withdrawal in a currency without an account',
        path: '/api/payments/withdrawals',
        body: { currency: 'USD', amount: 5, destination: 'tok_visa' },
        field: 'currency',
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await snapshot();
        const body = JSON.parse(
          JSON.stringify(c.body ?? null)?.replace('"SELF"', JSON.stringify(alice)) ?? 'null',
        );
        const response = await call('POST', c.path, {
          token: aliceToken,
          ...(c.rawBody ? { rawBody: c.rawBody } : { body }),
          ...(c.key !== undefined ? { key: c.key } : {}),
        });
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.match(response.type, /application\/problem\+json/);
        assert.match(response.body.type, /^https:\/\/shopstack\.dev\/problems\//);
        assert.equal(response.body.status, 400);
        assert.ok(response.body.title && response.body.detail);
        assert.ok(
          response.body.errors?.some((e: { field: string }) => e.field === c.field),
          `expected ${c.field} among ${JSON.stringify(response.body.errors)}`,
        );
        assert.deepEqual(await snapshot(), before);
      });
    }

    it('a statement query out of range', async () => {
      const r = await call('GET', `/api/payments/accounts/${aliceAccount}/statement?limit=100000`, {
        token: aliceToken,
      });
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].field, 'limit');
    });

    it('a webhook with a bad signature is refused and changes nothing', async () => {
      const silent = await topUp(aliceToken, '300', 'tok_timeout');
      const before = await snapshot();
      const payload = JSON.stringify({ paymentId: silent, outcome: 'succeeded' });
      const forged = await call('POST', '/api/payments/webhooks/sandbox', {
        rawBody: payload,
        key: null,
        headers: { 'sandbox-signature': sign('not-the-secret-at-all', payload) },
      });
      assert.equal(forged.status, 401);
      const unsigned = await call('POST', '/api/payments/webhooks/sandbox', { rawBody: payload, key: null });
      assert.equal(unsigned.status, 401);
      const stale = await call('POST', '/api/payments/webhooks/sandbox', {
        rawBody: payload,
        key: null,
        headers: { 'sandbox-signature': sign(WEBHOOK_SECRET, payload, Math.floor(Date.now() / 1000) - 3600) },
      });
      assert.equal(stale.status, 401);
      assert.deepEqual(await snapshot(), before);
      // The genuine signature is accepted and completes the top-up.
      const genuine = await call('POST', '/api/payments/webhooks/sandbox', {
        rawBody: payload,
        key: null,
        headers: { 'sandbox-signature': sign(WEBHOOK_SECRET, payload) },
      });
      assert.equal(genuine.status, 204);
      assert.equal(
        (await call('GET', `/api/payments/topups/${silent}`, { token: aliceToken })).body.status,
        'completed',
      );
    });
  });
});
