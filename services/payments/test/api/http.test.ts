// The REST API end to end on a real FerretDB with real JWT verification and the sandbox provider's
// signed webhooks over HTTP: happy paths, every kind of bad input (problem+json 400, nothing changed),
// and ownership (one customer can neither see nor move another's money).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { sign } from '../../src/adapters/providers/webhook-signature.js';
import { loadPaymentsConfig } from '../../src/config.js';
import { type PaymentsService, startPaymentsService } from '../../src/service.js';
import { startTestIssuer, type TestIssuer } from '../support/auth.js';
import { mongoUrl, testDbName } from '../support/db.js';
import { serviceEnv, WEBHOOK_SECRET } from '../support/env.js';
import { httpClient } from '../support/http.js';

describe('payments REST API', function () {
  this.timeout(60_000);
  let issuer: TestIssuer;
  let service: PaymentsService;
  let call: ReturnType<typeof httpClient>;
  const dbName = testDbName();
  const alice = `alice-${randomUUID()}`;
  const bob = `bob-${randomUUID()}`;
  let aliceToken: string;
  let bobToken: string;
  let aliceAccount: string;

  /** Everything that could change: the number of documents in each collection. */
  async function snapshot() {
    const db = service.app.db;
    return {
      journal: await db.journal.countDocuments(),
      movements: await db.movements.countDocuments(),
      holds: await db.holds.countDocuments(),
      payments: await db.providerPayments.countDocuments(),
      accounts: await db.accounts.countDocuments(),
    };
  }

  async function topUp(token: string, amount: string, source = 'tok_visa') {
    const accepted = await call('POST', '/api/payments/topups', {
      token,
      body: { currency: 'EUR', amount, source },
    });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    return accepted.body.id as string;
  }

  async function waitForStatus(token: string, path: string, status: string) {
    return waitFor(
      async () => {
        const r = await call('GET', path, { token });
        return r.body?.status === status ? r.body : undefined;
      },
      { what: `${path} to become ${status}` },
    );
  }

  before(async () => {
    issuer = await startTestIssuer();
    service = await startPaymentsService(
      loadPaymentsConfig(serviceEnv(dbName, issuer.jwksUrl, { RECONCILE_INTERVAL_MS: '300' })),
    );
    call = httpClient(service.httpUrl);
    aliceToken = await issuer.token(alice);
    bobToken = await issuer.token(bob);
  });

  after(async () => {
    await service?.close();
    await issuer?.close();
    const client = await MongoClient.connect(mongoUrl());
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('refuses requests without a valid token', async () => {
    const none = await call('GET', '/api/payments/accounts');
    assert.equal(none.status, 401);
    assert.match(none.type, /application\/problem\+json/);
    const forged = await call('GET', '/api/payments/accounts', { token: `${aliceToken.slice(0, -4)}AAAA` });
    assert.equal(forged.status, 401);
  });

  it('tops up through the sandbox provider: the signed webhook credits the account', async () => {
    const id = await topUp(aliceToken, '10000');
    await waitForStatus(aliceToken, `/api/payments/topups/${id}`, 'completed');
    const accounts = await call('GET', '/api/payments/accounts', { token: aliceToken });
    assert.equal(accounts.status, 200);
    assert.equal(accounts.body.accounts.length, 1);
    assert.deepEqual(accounts.body.accounts[0], {
      id: accounts.body.accounts[0].id,
      currency: 'EUR',
      balance: '10000',
      held: '0',
      available: '10000',
    });
    aliceAccount = accounts.body.accounts[0].id;
  });

  it('a declined card leaves the balance alone; a processor that never answers stays submitted', async () => {
    const declined = await topUp(aliceToken, '500', 'tok_decline');
    const silent = await topUp(aliceToken, '700', 'tok_timeout');
    const body = await waitForStatus(aliceToken, `/api/payments/topups/${declined}`, 'declined');
    assert.equal(body.failureReason, 'card_declined');
    assert.equal(
      (await call('GET', `/api/payments/topups/${silent}`, { token: aliceToken })).body.status,
      'submitted',
    );
    const balance = await call('GET', `/api/payments/accounts/${aliceAccount}`, { token: aliceToken });
    assert.equal(balance.body.balance, '10000');
  });

  it('transfers to another user with the fee, once per idempotency key, and shows it in both statements', async () => {
    await call('POST', '/api/payments/accounts', { token: bobToken, body: { currency: 'EUR' } });
    const key = randomUUID();
    const body = { toUserId: bob, currency: 'EUR', amount: 1000 };
    const first = await call('POST', '/api/payments/transfers', { token: aliceToken, body, key });
    const replay = await call('POST', '/api/payments/transfers', { token: aliceToken, body, key });
    assert.equal(first.status, 201);
    assert.deepEqual(replay.body, first.body);
    assert.equal(first.body.status, 'completed');
    assert.equal(first.body.fee, '11'); // 1 + 1 % of 1000
    const reused = await call('POST', '/api/payments/transfers', {
      token: aliceToken,
      body: { ...body, amount: 5 },
      key,
    });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.type, 'https://shopstack.dev/problems/idempotency-key-reused');
    const statement = await call('GET', `/api/payments/accounts/${aliceAccount}/statement?limit=1`, {
      token: aliceToken,
    });
    assert.equal(statement.body.entries[0].amount, '-1011');
    assert.equal(statement.body.entries[0].balance, '8989');
    const older = await call(
      'GET',
      `/api/payments/accounts/${aliceAccount}/statement?limit=1&beforeSeq=${statement.body.nextBeforeSeq}`,
      { token: aliceToken },
    );
    assert.equal(older.body.entries[0].seq, statement.body.entries[0].seq - 1);
    assert.equal(older.body.entries[0].balance, '10000');
    const seen = await call('GET', `/api/payments/transfers/${first.body.id}`, { token: bobToken });
    assert.equal(seen.status, 200);
  });

  it('withdraws through the provider; a declined payout releases the hold', async () => {
    const ok = await call('POST', '/api/payments/withdrawals', {
      token: aliceToken,
      body: { currency: 'EUR', amount: '1000', destination: 'tok_visa' },
    });
    assert.equal(ok.status, 202);
    await waitForStatus(aliceToken, `/api/payments/withdrawals/${ok.body.id}`, 'completed');
    const declined = await call('POST', '/api/payments/withdrawals', {
      token: aliceToken,
      body: { currency: 'EUR', amount: '1000', destination: 'tok_decline' },
    });
    await waitForStatus(aliceToken, `/api/payments/withdrawals/${declined.body.id}`, 'declined');
    const balance = await call('GET', `/api/payments/accounts/${aliceAccount}`, { token: aliceToken });
    assert.deepEqual([balance.body.balance, balance.body.held], ['7984', '0']); // 8989 - 1000 - 5 fee
    const tooMuch = await call('POST', '/api/payments/withdrawals', {
      token: aliceToken,
      body: { currency: 'EUR', amount: '999999', destination: 'tok_visa' },
    });
    assert.equal(tooMuch.body.status, 'declined');
    assert.equal(tooMuch.body.failureReason, 'INSUFFICIENT_FUNDS');
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

  describe('ownership', () => {
    it("a customer cannot see another customer's account, statement, transfers or top-ups", async () => {
      const mallory = await issuer.token(`mallory-${randomUUID()}`);
      for (const path of [
        `/api/payments/accounts/${aliceAccount}`,
        `/api/payments/accounts/${aliceAccount}/statement`,
      ]) {
        const r = await call('GET', path, { token: mallory });
        assert.equal(r.status, 404, path);
        assert.match(r.type, /problem\+json/);
      }
      const transfers = await service.app.db.movements.find({ ownerId: alice, kind: 'transfer' }).toArray();
      assert.ok(transfers.length > 0);
      assert.equal(
        (await call('GET', `/api/payments/transfers/${transfers[0]!._id}`, { token: mallory })).status,
        404,
      );
      const topups = await service.app.db.providerPayments.find({ userId: alice }).toArray();
      assert.equal(
        (await call('GET', `/api/payments/topups/${topups[0]!._id}`, { token: mallory })).status,
        404,
      );
      const mine = await call('GET', '/api/payments/accounts', { token: mallory });
      assert.deepEqual(mine.body.accounts, []);
    });

    it("a customer cannot move another customer's money: transfers always debit the caller", async () => {
      const before = await call('GET', `/api/payments/accounts/${aliceAccount}`, { token: aliceToken });
      const r = await call('POST', '/api/payments/transfers', {
        token: bobToken,
        body: { toUserId: alice, currency: 'EUR', amount: 1, fromAccountId: aliceAccount },
      });
      assert.equal(r.status, 400); // there is no way to name a source account
      const after = await call('GET', `/api/payments/accounts/${aliceAccount}`, { token: aliceToken });
      assert.equal(after.body.balance, before.body.balance);
    });

    it('publishes its OpenAPI document and its metrics', async () => {
      const openapi = await call('GET', '/openapi.json');
      assert.equal(openapi.status, 200);
      assert.ok(openapi.body.paths['/api/payments/transfers']);
      const metrics = await fetch(`${service.httpUrl}/metrics`).then((r) => r.text());
      assert.match(metrics, /payments_reconciliation_difference_minor/);
    });

    it('only admins may run reconciliation, and it finds the journal consistent', async () => {
      assert.equal(
        (await call('POST', '/api/payments/admin/reconciliation', { token: aliceToken })).status,
        403,
      );
      const admin = await issuer.token(`admin-${randomUUID()}`, 'admin');
      const report = await call('POST', '/api/payments/admin/reconciliation', { token: admin });
      assert.equal(report.status, 200);
      assert.equal(report.body.problems, 0);
      assert.equal(report.body.difference.EUR, '0');
    });
  });

  // Last (mocha runs nested blocks in order), because it corrupts the journal on purpose.
  describe('reconciliation job', () => {
    it('reports a balance that differs from its journal as a metric', async () => {
      const head = await service.app.db.journal
        .find({ accountId: aliceAccount })
        .sort({ seq: -1 })
        .limit(1)
        .next();
      await service.app.db.journal.updateOne({ _id: head!._id }, { $set: { balance: head!.balance + 42n } });
      const metric = /payments_reconciliation_difference_minor\{[^}]*currency="EUR"[^}]*\} (\d+)/;
      const value = await waitFor(
        async () => {
          const text = await fetch(`${service.httpUrl}/metrics`).then((r) => r.text());
          const found = metric.exec(text)?.[1];
          return found && found !== '0' ? found : undefined;
        },
        { what: 'the difference metric', timeoutMs: 20_000 },
      );
      assert.equal(value, '42');
    });
  });
});
