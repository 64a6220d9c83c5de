// A payments database from before the outbox's `pending` flag, on a real FerretDB: at the next start
// its unpublished documents get the flag (so the relay finds them), published ones are left as they
// are, and the old 'unpublished' index is dropped; a start after that changes nothing.
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { connectPaymentsDb } from '../../src/adapters/mongo.js';
import { mongoUrl, testDbName } from '../support/db.js';

describe('payments: an outbox from before the pending flag', function () {
  this.timeout(30_000);
  const name = testDbName();
  let client: MongoClient;

  before(async () => {
    client = await MongoClient.connect(mongoUrl());
    const outbox = client.db(name).collection<{ _id: string }>('outbox');
    await outbox.createIndex({ publishedAt: 1, createdAt: 1 }, { name: 'unpublished' });
    const doc = (id: string, publishedAt: Date | null) => ({
      _id: id,
      exchange: 'x',
      routingKey: 't',
      type: 't',
      payload: {},
      headers: {},
      createdAt: new Date(),
      publishedAt,
    });
    await outbox.insertMany([doc('waiting', null), doc('sent', new Date())]);
  });
  after(async () => {
    await client?.db(name).dropDatabase();
    await client?.close();
  });

  it('flags what waits, leaves what was sent, and drops the old index', async () => {
    for (const start of [1, 2]) {
      const db = await connectPaymentsDb(mongoUrl(), name);
      try {
        const docs = await db.outbox.find({}).sort({ _id: 1 }).toArray();
        assert.deepEqual(
          docs.map((d) => [d._id, d.pending]),
          [
            ['sent', undefined],
            ['waiting', true],
          ],
          `after start ${start}`,
        );
        const indexes = (await db.outbox.indexes()).map((index) => index.name);
        assert.ok(!indexes.includes('unpublished'), `after start ${start}: ${indexes}`);
        assert.ok(indexes.includes('pending'), `after start ${start}: ${indexes}`);
      } finally {
        await db.client.close();
      }
    }
  });
});
