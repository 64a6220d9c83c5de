import assert from 'node:assert/strict';
import { MongoClient, MongoServerError } from 'mongodb';
import { infraEnv, uniqueName } from '../support/env.js';

describe('infrastructure: FerretDB through the official mongodb driver', () => {
  const client = new MongoClient(infraEnv('MONGO_URL'), { serverSelectionTimeoutMS: 10_000 });
  const dbName = uniqueName('infra').replaceAll('-', '_');

  before(async () => {
    await client.connect();
  });

  after(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('inserts and finds a document', async () => {
    const accounts = client.db(dbName).collection('accounts');
    await accounts.insertOne({ _id: 'acc-1' as never, owner: 'u-1', currency: 'EUR', balanceMinor: 1500 });
    const found = await accounts.findOne({ owner: 'u-1' });
    assert.deepEqual(found, { _id: 'acc-1', owner: 'u-1', currency: 'EUR', balanceMinor: 1500 });
  });

  it('enforces a unique index with duplicate-key error 11000', async () => {
    const journal = client.db(dbName).collection('journal');
    await journal.createIndex({ account: 1, seq: 1 }, { unique: true });
    await journal.insertOne({ account: 'acc-1', seq: 1, amountMinor: 100 });
    const duplicate = journal.insertOne({ account: 'acc-1', seq: 1, amountMinor: 200 });
    await assert.rejects(
      duplicate,
      (error: unknown) => error instanceof MongoServerError && error.code === 11000,
    );
    assert.equal(await journal.countDocuments({ account: 'acc-1' }), 1);
  });
});
