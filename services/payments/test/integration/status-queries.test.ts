// Queries by several statuses on a real FerretDB, one equality query a status (FerretDB reads a whole
// collection for `$in`): the same documents as one `$in` would find, no more than the limit, the statuses
// taken in the order asked.
import assert from 'node:assert/strict';
import { findInStatuses } from '../../src/adapters/operations.js';
import { createTestPaymentsDb } from '../support/db.js';

interface Doc {
  _id: string;
  status: 'a' | 'b' | 'c';
  at: number;
}

describe('payments: finding documents in several statuses', function () {
  this.timeout(30_000);
  let db: Awaited<ReturnType<typeof createTestPaymentsDb>>;
  before(async () => {
    db = await createTestPaymentsDb();
    await db.db.collection<Doc>('docs').insertMany([
      { _id: 'a1', status: 'a', at: 1 },
      { _id: 'a2', status: 'a', at: 5 },
      { _id: 'b1', status: 'b', at: 1 },
      { _id: 'b2', status: 'b', at: 2 },
      { _id: 'c1', status: 'c', at: 1 },
    ]);
  });
  after(async () => await db?.drop());

  it('finds what matches the filter in each status asked, and nothing else', async () => {
    const docs = db.db.collection<Doc>('docs');
    const found = await findInStatuses(docs, ['a', 'b'], { at: { $lt: 3 } }, 10);
    assert.deepEqual(found.map((doc) => doc._id).sort(), ['a1', 'b1', 'b2']);
  });

  it('stops at the limit, taking the statuses in the order given', async () => {
    const docs = db.db.collection<Doc>('docs');
    const found = await findInStatuses(docs, ['b', 'a', 'c'], {}, 3);
    assert.equal(found.length, 3);
    assert.deepEqual(found.map((doc) => doc.status).sort(), ['a', 'b', 'b']);
  });
});
