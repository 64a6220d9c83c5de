// The payments application on a fresh database with the sandbox provider, for app-level suites.
import { randomUUID } from 'node:crypto';
import { SandboxProvider } from '../../src/adapters/providers/sandbox.js';
import { createPaymentsApp, type PaymentsApp } from '../../src/app/payments.js';
import { parseFeeSchedule } from '../../src/domain/fees.js';
import { createTestPaymentsDb } from './db.js';

export const TEST_FEES = parseFeeSchedule(
  JSON.stringify({
    transfer: { fixed: 1, basisPoints: 100 },
    withdrawal: { fixed: 5 },
    topup: { basisPoints: 0 },
  }),
);

/** Small enough for a test to reach, large enough for the suites' funding. */
export const TEST_LIMITS = { topup: 1_000_000n, withdrawal: 100_000n };

export async function createTestApp(fees = TEST_FEES): Promise<PaymentsApp & { drop(): Promise<void> }> {
  const db = await createTestPaymentsDb();
  // Webhooks are not delivered in app-level suites (nothing calls deliverDue); they feed events directly.
  const provider = new SandboxProvider({
    db: db.db,
    secret: 'test-secret',
    webhookUrl: () => 'http://127.0.0.1:9/',
  });
  const app = createPaymentsApp({
    db,
    provider,
    fees,
    holdTtlSeconds: 600,
    dailyLimits: TEST_LIMITS,
  });
  return Object.assign(app, { drop: () => db.drop() });
}

/** Another replica of `app` on the same database: its own memory of accounts and heads. */
export function createReplica(app: PaymentsApp, fees = TEST_FEES): PaymentsApp {
  const provider = new SandboxProvider({
    db: app.db.db,
    secret: 'test-secret',
    webhookUrl: () => 'http://127.0.0.1:9/',
  });
  return createPaymentsApp({ db: app.db, provider, fees, holdTtlSeconds: 600, dailyLimits: TEST_LIMITS });
}

/** Puts money on a user's account the way production does: a top-up the provider confirms. */
export async function fund(
  app: PaymentsApp,
  userId: string,
  currency: string,
  amount: bigint,
): Promise<void> {
  const payment = await app.providerPayments.topUp({
    userId,
    idempotencyKey: randomUUID(),
    currency,
    amount,
    token: 'tok_ok',
  });
  await app.providerPayments.onProviderEvent({ paymentId: payment._id, outcome: 'succeeded' });
}

export async function balanceOf(app: PaymentsApp, accountId: string) {
  return app.journal.state(accountId);
}
