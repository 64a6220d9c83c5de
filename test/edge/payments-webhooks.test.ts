// Payment provider webhooks through a real Envoy: the provider has no user token, so the edge lets
// POSTs to /api/payments/webhooks through without one (and nothing else under /api/payments); payments
// accepts only a valid signature over a fresh timestamp, and a replayed or unsigned webhook changes
// nothing. The sandbox provider runs inside payments and calls back through the edge, as a real
// processor would.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import {
  freePort,
  type SpawnedService,
  serviceDir,
  spawnService,
  startTestIssuer,
  type TestIssuer,
  waitFor,
} from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { infraEnv } from '../support/env.js';
import { type RunningEnvoy, startEnvoy } from '../support/envoy.js';
import { eventually } from '../support/process.js';
import { startTestRateLimit, type TestRateLimit } from '../support/ratelimit.js';

const SECRET = 'edge-webhook-secret-0123456789';
const WEBHOOK = '/api/payments/webhooks/sandbox';

/** The provider's signature scheme, written out here so the test does not trust the code it checks. */
function signature(body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', SECRET).update(`${at}.${body}`).digest('hex')}`;
}

describe('the edge: payment provider webhooks', function () {
  this.timeout(120_000);
  let issuer: TestIssuer;
  let payments: SpawnedService;
  let envoy: RunningEnvoy;
  let rateLimit: TestRateLimit;
  let mongo: MongoClient;
  const dbName = `edge_payments_${randomUUID().slice(0, 8)}`;
  const userId = `payer-${randomUUID()}`;
  let token: string;

  const edge = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${envoy.edgeUrl}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  const balance = async () => {
    const response = await edge('/api/payments/accounts', { token });
    const body = (await response.json()) as { accounts: { balance: string }[] };
    return body.accounts[0]?.balance ?? '0';
  };
  const paymentStatus = async (id: string) =>
    ((await (await edge(`/api/payments/topups/${id}`, { token })).json()) as { status: string }).status;
  const journalSize = () => mongo.db(dbName).collection('journal').countDocuments();

  before(async () => {
    issuer = await startTestIssuer();
    token = await issuer.token(userId);
    mongo = await MongoClient.connect(infraEnv('MONGO_URL'));
    const nowhere = { host: '127.0.0.1', port: await freePort() };
    // The edge's port is only known once it runs, and payments must know where to call back: start
    // the edge first with payments' future port.
    const paymentsPort = await freePort();
    const limits = {
      rateLimit: { requestsPerSecond: 100, burst: 200 },
      authRateLimit: { requestsPerSecond: 10, burst: 20 },
      userRateLimit: { requestsPerSecond: 100, burst: 200 },
    };
    rateLimit = await startTestRateLimit(limits);
    envoy = await startEnvoy({
      upstreams: {
        users: { host: '127.0.0.1', port: Number(new URL(issuer.jwksUrl).port) },
        payments: { host: '127.0.0.1', port: paymentsPort },
        catalog: nowhere,
        orders: nowhere,
        notifications: nowhere,
        backoffice: nowhere,
      },
      jwt: { issuer: 'shopstack-users', audiences: ['shopstack'] },
      ...limits,
      rateLimitService: rateLimit.upstream,
      trustedProxyHops: 0,
      requestTimeoutSeconds: 10,
    });
    payments = await spawnService(serviceDir('payments'), {
      HTTP_PORT: String(paymentsPort),
      MONGO_URL: infraEnv('MONGO_URL'),
      MONGO_DB: dbName,
      JWKS_URL: issuer.jwksUrl,
      PAYMENT_PROVIDER: 'sandbox',
      SANDBOX_WEBHOOK_SECRET: SECRET,
      SANDBOX_WEBHOOK_URL: `${envoy.edgeUrl}${WEBHOOK}`,
      SANDBOX_DELAY_MS: '20',
      // Its money events would go to the shared broker's default exchange; this suite reads none.
      OUTBOX_RELAY: 'off',
    });
    await eventually(
      async () => (await edge('/api/payments/accounts', { token })).status === 200,
      60_000,
    ).catch((error) => {
      throw new Error(`${error}\nenvoy output:\n${envoy.output()}`);
    });
  });

  after(async () => {
    await payments?.stop();
    await envoy?.close();
    await rateLimit?.close();
    await issuer?.close();
    await mongo?.db(dbName).dropDatabase();
    await mongo?.close();
  });

  it("lets the provider's signed webhook through without a user token: a top-up completes", async () => {
    const accepted = await edge('/api/payments/topups', {
      method: 'POST',
      token,
      body: JSON.stringify({ currency: 'EUR', amount: '5000', source: 'tok_visa' }),
    });
    assert.equal(accepted.status, 202);
    const { id } = (await accepted.json()) as { id: string };
    await waitFor(async () => (await paymentStatus(id)) === 'completed', {
      timeoutMs: 30_000,
      what: 'the webhook to reach payments through the edge',
    });
    assert.equal(await balance(), '5000');
  });

  it('keeps every other payments route, and other methods on the webhook path, behind a token', async () => {
    const topUp = await edge('/api/payments/topups', {
      method: 'POST',
      body: JSON.stringify({ currency: 'EUR', amount: '5000', source: 'tok_visa' }),
    });
    assert.equal(topUp.status, 401);
    assert.equal(
      ((await topUp.json()) as { type: string }).type,
      'https://shopstack.dev/problems/edge/unauthenticated',
    );
    assert.equal((await edge(WEBHOOK, { method: 'GET' })).status, 401);
  });

  it('refuses unsigned, forged and stale webhooks, and a replayed one changes nothing', async () => {
    // A top-up the processor never answers: the attacker tries to complete it.
    const pending = await edge('/api/payments/topups', {
      method: 'POST',
      token,
      body: JSON.stringify({ currency: 'EUR', amount: '7000', source: 'tok_timeout' }),
    });
    const { id } = (await pending.json()) as { id: string };
    const event = JSON.stringify({ paymentId: id, outcome: 'succeeded' });
    const journal = await journalSize();
    const attempts: Record<string, string>[] = [
      {},
      { 'sandbox-signature': signature(event).replace(/v1=(.)/, (_, c) => `v1=${c === '0' ? '1' : '0'}`) },
      { 'sandbox-signature': signature(event, Math.floor(Date.now() / 1000) - 3600) },
      { 'sandbox-signature': signature(`${event} `) },
    ];
    for (const headers of attempts) {
      const refused = await edge(WEBHOOK, { method: 'POST', body: event, headers });
      assert.equal(refused.status, 401);
      assert.equal(
        ((await refused.json()) as { type: string }).type,
        'https://shopstack.dev/problems/invalid-signature',
      );
    }
    assert.equal(await paymentStatus(id), 'submitted');
    assert.equal(await balance(), '5000');
    assert.equal(await journalSize(), journal);

    // The genuine webhook of the completed top-up, sent again: acknowledged, and nothing moves.
    const completed = await mongo
      .db(dbName)
      .collection('provider_payments')
      .findOne({ userId, status: 'completed' });
    const genuine = JSON.stringify({ paymentId: completed!._id, outcome: 'succeeded' });
    const sig = signature(genuine);
    for (let i = 0; i < 2; i++) {
      const replayed = await edge(WEBHOOK, {
        method: 'POST',
        body: genuine,
        headers: { 'sandbox-signature': sig },
      });
      assert.equal(replayed.status, 204);
    }
    assert.equal(await balance(), '5000');
    assert.equal(await journalSize(), journal);
  });
});
