// The REST API end to end on a real FerretDB with real JWT verification and the sandbox provider's
// signed webhooks over HTTP: top-ups, transfers, withdrawals, statements, ownership (one customer can
// neither see nor move another's money), OpenAPI, metrics and reconciliation. Bad input: bad-input.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { httpClient, TestIssuer } from '@shopstack/kit/testing';
import { waitFor } from '@shopstack/kit/testing';
import type { PaymentsService } from '../../src/service.js';
import { type RestFixture, startRestFixture } from '../support/rest.js';

describe('payments REST API', function () {
  this.timeout(60_000);
  let fixture: RestFixture;
  let issuer: TestIssuer;
  let service: PaymentsService;
  let call: ReturnType<typeof httpClient>;
  const alice = `alice-${randomUUID()}`;
  const bob = `bob-${randomUUID()}`;
  let aliceToken: string;
  let bobToken: string;
  let aliceAccount: string;
  const topUp = (token: string, amount: string, source?: string) => fixture.topUp(token, amount, source);
  const waitForStatus = (token: string, path: string, status: string) =>
    fixture.waitForStatus(token, path, status);

  before(async () => {
    fixture = await startRestFixture({ RECONCILE_INTERVAL_MS: '300' });
    ({ issuer, service, call } = fixture);
    aliceToken = await issuer.token(alice);
    bobToken = await issuer.token(bob);
  });

  after(async () => {
    await fixture?.close();
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
      body: { currency: 'EUR', amount: '50000', destination: 'tok_visa' }, // within the daily limit
    });
    assert.equal(tooMuch.body.status, 'declined');
    assert.equal(tooMuch.body.failureReason, 'INSUFFICIENT_FUNDS');
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
