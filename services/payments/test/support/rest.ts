// A payments service in-process (port 0) with a real JWT issuer, for the REST suites.
import assert from 'node:assert/strict';
import { loadConfig } from '@shopstack/kit';
import { httpClient, startTestIssuer, type TestIssuer, waitFor } from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import { paymentsConfigSchema } from '../../src/config.js';
import { type PaymentsService, startPaymentsService } from '../../src/service.js';
import { mongoUrl, testDbName } from './db.js';
import { serviceEnv } from './env.js';

export interface RestFixture {
  issuer: TestIssuer;
  service: PaymentsService;
  call: ReturnType<typeof httpClient>;
  /** Everything that could change: the number of documents in each collection. */
  snapshot(): Promise<Record<string, number>>;
  /** Starts a top-up through the sandbox provider and returns its id. */
  topUp(token: string, amount: string, source?: string): Promise<string>;
  waitForStatus(token: string, path: string, status: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startRestFixture(overrides: Record<string, string> = {}): Promise<RestFixture> {
  const dbName = testDbName();
  const issuer = await startTestIssuer();
  const service = await startPaymentsService(
    loadConfig(paymentsConfigSchema, serviceEnv(dbName, issuer.jwksUrl, overrides)),
  );
  const call = httpClient(service.httpUrl);
  const db = service.app.db;
  return {
    issuer,
    service,
    call,
    async snapshot() {
      return {
        journal: await db.journal.countDocuments(),
        movements: await db.movements.countDocuments(),
        holds: await db.holds.countDocuments(),
        payments: await db.providerPayments.countDocuments(),
        accounts: await db.accounts.countDocuments(),
        limitLog: await db.limitLog.countDocuments(),
      };
    },
    async topUp(token, amount, source = 'tok_visa') {
      const accepted = await call('POST', '/api/payments/topups', {
        token,
        body: { currency: 'EUR', amount, source },
      });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      return accepted.body.id as string;
    },
    waitForStatus(token, path, status) {
      return waitFor(
        async () => {
          const r = await call('GET', path, { token });
          return r.body?.status === status ? r.body : undefined;
        },
        { what: `${path} to become ${status}` },
      );
    },
    async close() {
      await service.close();
      await issuer.close();
      const client = await MongoClient.connect(mongoUrl());
      await client.db(dbName).dropDatabase();
      await client.close();
    },
  };
}
