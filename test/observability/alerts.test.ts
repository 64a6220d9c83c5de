// Alerts on real processes: a real payments service scraped by a real Prometheus that evaluates the
// platform's rules and sends to a real Alertmanager, whose webhook receiver is this test. Only the
// waiting is shortened (see support/alerting.ts).
import assert from 'node:assert/strict';
import {
  type SpawnedService,
  serviceDir,
  spawnService,
  startTestIssuer,
  type TestIssuer,
} from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';
import { type AlertingStack, startAlertingStack } from './support/alerting.js';

describe('alerts on real processes', function () {
  this.timeout(120_000);
  const mongoDb = uniqueName('alerts_payments').replaceAll('-', '_');
  let issuer: TestIssuer;
  let payments: SpawnedService;
  let stack: AlertingStack;
  const paymentsEnv = (ports: Record<string, string> = {}) => ({
    MONGO_URL: infraEnv('MONGO_URL'),
    MONGO_DB: mongoDb,
    JWKS_URL: issuer.jwksUrl,
    SANDBOX_WEBHOOK_SECRET: 'sandbox-alerts-secret-0123456789',
    RECONCILE_INTERVAL_MS: '500',
    // Its money events would go to the shared broker's default exchange; this suite reads none.
    OUTBOX_RELAY: 'off',
    ...ports,
  });
  const received = (alertname: string, status: 'firing' | 'resolved') =>
    stack.received.filter(
      (a) => a.labels.alertname === alertname && a.labels.service === 'payments' && a.status === status,
    );

  before(async () => {
    issuer = await startTestIssuer();
    payments = await spawnService(serviceDir('payments'), paymentsEnv());
    stack = await startAlertingStack({
      targets: [{ address: new URL(payments.httpUrl).host, labels: { service: 'payments' } }],
      forSeconds: 3,
    });
    await eventually(async () => {
      const response = await fetch(`${stack.prometheusUrl}/api/v1/query?query=up{service="payments"}`);
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1] === '1';
    }, 30_000);
  });

  after(async () => {
    await stack?.stop();
    await payments?.stop();
    const mongo = new MongoClient(infraEnv('MONGO_URL'));
    await mongo
      .db(mongoDb)
      .dropDatabase()
      .catch(() => {});
    await mongo.close();
    await issuer?.close();
  });

  it('payments stopped: down alert pending, then firing, reaches the webhook; started again: resolved', async () => {
    const targetDown = async () =>
      (await stack.prometheusAlerts()).find(
        (a) => a.labels.alertname === 'ShopStackTargetDown' && a.labels.service === 'payments',
      );
    assert.equal(await targetDown(), undefined, 'payments is up, nothing should be alerting yet');

    const { httpUrl, grpcAddress } = payments;
    await payments.stop();
    await eventually(async () => (await targetDown())?.state === 'pending', 30_000);
    await eventually(async () => (await targetDown())?.state === 'firing', 30_000);
    await eventually(async () => received('ShopStackTargetDown', 'firing').length > 0, 30_000);
    const [fired] = received('ShopStackTargetDown', 'firing');
    assert.equal(fired!.labels.severity, 'critical');
    assert.match(fired!.annotations.summary!, /^payments \(127\.0\.0\.1:\d+\) is not answering scrapes$/);
    assert.equal(received('ShopStackTargetDown', 'resolved').length, 0);

    payments = await spawnService(
      serviceDir('payments'),
      paymentsEnv({ HTTP_PORT: new URL(httpUrl).port, GRPC_PORT: grpcAddress!.split(':')[1]! }),
    );
    await eventually(async () => received('ShopStackTargetDown', 'resolved').length > 0, 60_000);
    assert.equal(await targetDown(), undefined);
  });

  it('a balance the journal does not explain fires ShopStackLedgerImbalance at the webhook', async () => {
    assert.equal(received('ShopStackLedgerImbalance', 'firing').length, 0);
    // An account whose only entry claims a running balance of 150 after a credit of 100: the ledger
    // no longer adds up by 50, as after a lost or doubled write.
    const mongo = new MongoClient(infraEnv('MONGO_URL'));
    try {
      const db = mongo.db(mongoDb);
      await db.collection('accounts').insertOne({
        _id: 'acc_alerts_test' as never,
        userId: 'alerts-test-user',
        currency: 'EUR',
        kind: 'customer',
        createdAt: new Date(),
      });
      await db.collection('journal').insertOne({
        _id: 'mv:alerts-test:0' as never,
        accountId: 'acc_alerts_test',
        seq: 1,
        kind: 'credit',
        outcome: 'applied',
        balanceDelta: 100n,
        heldDelta: 0n,
        balance: 150n,
        held: 0n,
        ref: 'alerts-test',
        at: new Date(),
      });
    } finally {
      await mongo.close();
    }
    await eventually(async () => received('ShopStackLedgerImbalance', 'firing').length > 0, 60_000);
    const [fired] = received('ShopStackLedgerImbalance', 'firing');
    assert.equal(fired!.labels.severity, 'critical');
    assert.match(fired!.annotations.description!, /^Reconciliation found (50|1) /);
  });
});
