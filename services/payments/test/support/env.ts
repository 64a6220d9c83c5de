// The environment a payments service under test runs with: its own database, the test issuer's JWKS,
// fast background jobs, and free ports unless given.

import { testGrpcEnv } from '@shopstack/kit/testing';
import { mongoUrl } from './db.js';

export const WEBHOOK_SECRET = 'sandbox-test-secret-0123456789';
export const TEST_FEES_JSON = JSON.stringify({
  transfer: { fixed: 1, basisPoints: 100 },
  withdrawal: { fixed: 5 },
});

export function serviceEnv(dbName: string, jwksUrl: string, overrides: Record<string, string> = {}) {
  return {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ...testGrpcEnv('payments'),
    GRPC_PORT: '0',
    LOG_LEVEL: 'error',
    MONGO_URL: mongoUrl(),
    MONGO_DB: dbName,
    JWKS_URL: jwksUrl,
    PAYMENT_PROVIDER: 'sandbox',
    SANDBOX_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SANDBOX_DELAY_MS: '20',
    FEES_JSON: TEST_FEES_JSON,
    RECOVERY_INTERVAL_MS: '500',
    RECOVERY_GRACE_MS: '2000',
    RECONCILE_INTERVAL_MS: '60000',
    // A spawned process inherits AMQP_URL from the test run; suites that read events turn this on.
    OUTBOX_RELAY: 'off',
    ...overrides,
  };
}
