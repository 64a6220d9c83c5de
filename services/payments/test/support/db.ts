// A fresh payments database per suite on the shared FerretDB (MONGO_URL), dropped afterwards.
import { randomBytes } from 'node:crypto';
import { connectPaymentsDb, type PaymentsDb } from '../../src/adapters/mongo.js';

export function mongoUrl(): string {
  const url = process.env.MONGO_URL;
  if (!url) throw new Error('MONGO_URL is not set: run `npm run infra -- up ferretdb`');
  return url;
}

export function testDbName(): string {
  return `payments_test_${randomBytes(4).toString('hex')}`;
}

export async function createTestPaymentsDb(): Promise<PaymentsDb & { drop(): Promise<void> }> {
  const db = await connectPaymentsDb(mongoUrl(), testDbName());
  return Object.assign(db, {
    async drop() {
      await db.db.dropDatabase();
      await db.client.close();
    },
  });
}
