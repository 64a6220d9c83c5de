// Group commit of inserts on a real FerretDB: concurrent inserts share commands, each caller still gets
// its own answer (a duplicate refuses only its document), and a command that fails fails every caller.
import assert from 'node:assert/strict';
import type { CommandStartedEvent, Document } from 'mongodb';
import { GroupedInserts } from '../../src/adapters/grouped-inserts.js';
import { connectPaymentsDb, isDuplicateKey, type PaymentsDb } from '../../src/adapters/mongo.js';
import { createTestPaymentsDb, mongoUrl, testDbName } from '../support/db.js';

interface Row extends Document {
  _id: string;
  stream: string;
  seq: number;
}

describe('grouped inserts on FerretDB', function () {
  this.timeout(60_000);
  let db: PaymentsDb;
  let insertCommands = 0;

  before(async () => {
    db = await connectPaymentsDb(mongoUrl(), testDbName(), { monitorCommands: true });
    db.client.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.commandName === 'insert') insertCommands++;
    });
    await db.db.collection<Row>('rows').createIndex({ stream: 1, seq: 1 }, { unique: true });
  });
  after(async () => {
    await db?.db.dropDatabase();
    await db?.client.close();
  });

  async function counted(work: () => Promise<unknown>): Promise<number> {
    const before = insertCommands;
    await work();
    return insertCommands - before;
  }

  it('sends concurrent inserts in fewer commands and stores every document', async () => {
    const collection = db.db.collection<Row>('rows');
    const grouped = new GroupedInserts(collection);
    const rows = Array.from({ length: 40 }, (_, i) => ({ _id: `many-${i}`, stream: 'many', seq: i }));
    const commands = await counted(() => Promise.all(rows.map((row) => grouped.insertOne(row))));
    assert.ok(commands < rows.length / 4, `40 concurrent inserts took ${commands} commands`);
    assert.equal(await collection.countDocuments({ stream: 'many' }), 40);
  });

  it('refuses only the duplicate of a group, with its own duplicate-key error', async () => {
    const collection = db.db.collection<Row>('rows');
    const grouped = new GroupedInserts(collection);
    await collection.insertOne({ _id: 'dup-0', stream: 'dup', seq: 0 });
    const outcomes = await Promise.allSettled([
      grouped.insertOne({ _id: 'dup-1', stream: 'dup', seq: 1 }),
      grouped.insertOne({ _id: 'dup-0', stream: 'dup', seq: 99 }), // its _id exists
      grouped.insertOne({ _id: 'dup-2', stream: 'dup', seq: 2 }),
      grouped.insertOne({ _id: 'dup-3', stream: 'dup', seq: 2 }), // its (stream, seq) was just taken
      grouped.insertOne({ _id: 'dup-4', stream: 'dup', seq: 4 }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
    );
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') assert.ok(isDuplicateKey(outcome.reason), String(outcome.reason));
    const stored = await collection.find({ stream: 'dup' }).sort({ _id: 1 }).toArray();
    assert.deepEqual(
      stored.map((row) => [row._id, row.seq]),
      [
        ['dup-0', 0],
        ['dup-1', 1],
        ['dup-2', 2],
        ['dup-4', 4],
      ],
    );
  });

  it("answers a list of documents in one command, with each one's outcome in order", async () => {
    const collection = db.db.collection<Row>('rows');
    const grouped = new GroupedInserts(collection);
    await collection.insertOne({ _id: 'each-1', stream: 'each', seq: 1 });
    let outcomes: unknown[] = [];
    const commands = await counted(async () => {
      outcomes = await grouped.insertEach(
        [0, 1, 2].map((seq) => ({ _id: `each-${seq}`, stream: 'each', seq: 10 + seq })),
      );
    });
    assert.equal(commands, 1);
    assert.equal(outcomes[0], undefined);
    assert.ok(isDuplicateKey(outcomes[1]), String(outcomes[1]));
    assert.equal(outcomes[2], undefined);
    assert.deepEqual(
      (await collection.find({ stream: 'each' }).sort({ _id: 1 }).toArray()).map((row) => row.seq),
      [10, 1, 12],
    );
  });

  it('fails every caller of a command the server refuses as a whole', async () => {
    const closed = await createTestPaymentsDb();
    const grouped = new GroupedInserts(closed.db.collection<Row>('rows'));
    await closed.drop(); // the client is closed: the command cannot be sent
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((i) => grouped.insertOne({ _id: `gone-${i}`, stream: 'gone', seq: i })),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected'],
    );
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') assert.ok(!isDuplicateKey(outcome.reason));
  });
});
