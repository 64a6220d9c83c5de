// The back office as the shop test runs it, and the calls a customer makes on the shop that the
// test checks the back office's figures against.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  type BackofficeService,
  backofficeConfigSchema,
  startBackofficeService,
} from '@shopstack/backoffice';
import { createLogger } from '@shopstack/kit';
import { type TestDatabase, testGrpcEnv } from '@shopstack/kit/testing';
import { backofficePeersEnv, type RunningShop, type Session } from '../checkout/support/shop.js';
import { infraEnv } from '../support/env.js';

const NEVER = '0 0 1 1 *'; // the schedule stays out of the way: the test runs each sweep itself

/** Both roles in this process, on its own database and queue, talking to the shop over gRPC. */
export function startBackOfficeOn(
  shop: RunningShop,
  database: TestDatabase,
  queue: string,
): Promise<BackofficeService> {
  return startBackofficeService(
    backofficeConfigSchema.parse({
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      ...testGrpcEnv('backoffice'),
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      AMQP_URL: infraEnv('AMQP_URL'),
      ...backofficePeersEnv(shop),
      EVENTS_QUEUE: queue,
      WORKER_POLL_INTERVAL_MS: '200',
      ANOMALY_CRON: NEVER,
      RETENTION_CRON: NEVER,
      // The rate rules need far more traffic than this test makes: they stay silent.
      ANOMALY_MIN_ATTEMPTS: '1000',
      ANOMALY_SIGN_IN_FAILURES_PER_IP: '3',
      ANOMALY_SAGA_OVERDUE_SECONDS: '1',
      ANOMALY_WEBHOOK_FAILING_SECONDS: '0',
    }),
    createLogger({ service: 'backoffice', level: 'silent' }),
  );
}

/** The customer's EUR statement, every entry, from payments' own API. */
export async function statement(shop: RunningShop, customer: Session) {
  const { body } = await customer.call('GET', `${shop.payments.httpUrl}/api/payments/accounts`);
  const account = body.accounts.find((a: { currency: string }) => a.currency === 'EUR');
  const page = await customer.call(
    'GET',
    `${shop.payments.httpUrl}/api/payments/accounts/${account.id}/statement?limit=200`,
  );
  assert.equal(page.status, 200, JSON.stringify(page.body));
  return page.body.entries as {
    kind: string;
    outcome: string;
    amount: string;
    heldChange: string;
    reference: string;
  }[];
}

/** A top-up or withdrawal through payments' API with a sandbox card token, accepted (202). */
export async function providerPayment(
  shop: RunningShop,
  customer: Session,
  kind: 'topups' | 'withdrawals',
  amount: number,
  token: string,
) {
  const body =
    kind === 'topups'
      ? { currency: 'EUR', amount, source: token }
      : { currency: 'EUR', amount, destination: token };
  const response = await customer.call('POST', `${shop.payments.httpUrl}/api/payments/${kind}`, body, {
    'idempotency-key': randomUUID(),
  });
  assert.equal(response.status, 202, JSON.stringify(response.body));
}
