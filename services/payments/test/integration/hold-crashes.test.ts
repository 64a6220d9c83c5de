// Holds interrupted between their writes, on a real FerretDB: authorize leaves the hold document
// 'pending' after its reserve entry (no status write), and a capture of such a hold appends its close
// entry without first storing 'closing'. A crash at each of those points must be finished by the
// recovery job to exactly one effect: one reserve, one close, one settlement, one event of each kind.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { HoldDoc } from '../../src/adapters/documents.js';
import { MongoOutbox } from '../../src/adapters/outbox.js';
import { SandboxProvider } from '../../src/adapters/providers/sandbox.js';
import { recoverOnce } from '../../src/app/jobs.js';
import { createPaymentsApp, type PaymentsApp } from '../../src/app/payments.js';
import { closeEffect } from '../../src/domain/holds.js';
import { customerAccountId } from '../../src/domain/ids.js';
import { balanceOf, fund, TEST_FEES, TEST_LIMITS } from '../support/app.js';
import { createTestPaymentsDb } from '../support/db.js';

describe('payments holds interrupted between their writes', function () {
  this.timeout(60_000);
  const EUR = 'EUR';
  let db: Awaited<ReturnType<typeof createTestPaymentsDb>>;

  /** A process of the service (its own memory) on the shared database, storing events in the outbox. */
  function processOf(): PaymentsApp {
    const provider = new SandboxProvider({ db: db.db, secret: 'test-secret', webhookUrl: () => '' });
    const outbox = new MongoOutbox(db.outbox, db.outboxClaims, 'shop.events');
    const options = { db, provider, fees: TEST_FEES, holdTtlSeconds: 600, dailyLimits: TEST_LIMITS };
    return createPaymentsApp({ ...options, outbox, recoveryGraceMs: 2_000 });
  }
  /** Recovery as the job runs it, once every hold's grace period has passed. */
  const recoverLater = (app: PaymentsApp) =>
    recoverOnce(app, { graceMs: 2_000, providerTimeoutMs: 60_000 }, new Date(Date.now() + 5_000));
  const events = async (holdId: string) =>
    (await db.outbox.find({ _id: { $regex: `^${holdId}:` } }).toArray()).map((doc) => doc.type).sort();
  const entries = async (holdId: string) =>
    (await db.journal.find({ ref: holdId }).toArray()).map((entry) => entry._id).sort();

  before(async () => {
    db = await createTestPaymentsDb();
  });
  after(async () => {
    await db?.drop();
  });

  async function authorized(app: PaymentsApp, amount: bigint) {
    const buyer = `user-${randomUUID()}`;
    await fund(app, buyer, EUR, 1_000n);
    const { hold, failure } = await app.holds.authorize({
      idempotencyKey: randomUUID(),
      orderId: `order-${randomUUID()}`,
      userId: buyer,
      amount,
      currency: EUR,
    });
    assert.equal(failure, undefined);
    return { buyer, hold };
  }

  it('an authorized hold stays pending in its document, reads as authorized, and recovery stores it', async () => {
    const app = processOf();
    const { hold } = await authorized(app, 300n);
    assert.equal(hold.status, 'authorized', 'the answer says authorized');
    assert.equal((await db.holds.findOne({ _id: hold._id }))?.status, 'pending');
    assert.equal((await app.holds.view(hold._id)).status, 'authorized', 'so does GetHold');
    await recoverLater(processOf());
    assert.equal((await db.holds.findOne({ _id: hold._id }))?.status, 'authorized');
    assert.deepEqual(await entries(hold._id), [`hold:${hold._id}:reserve`]);
    assert.deepEqual(await events(hold._id), ['payment.hold_placed']);
    // Another process, which never saw the hold, captures it from the stored document.
    const captured = await processOf().holds.capture(hold._id, 0n);
    assert.equal(captured.failure, undefined);
    assert.equal(captured.hold.status, 'captured');
  });

  it('a capture crashed after its close entry, its document still pending, is settled once by recovery', async () => {
    const app = processOf();
    const { buyer, hold } = await authorized(app, 400n);
    const sales = hold.settleTo[0]!.accountId;
    const salesBefore = (await balanceOf(app, sales)).balance;
    // What capture appends before anything else (no 'closing' for a pending hold), then the crash.
    await app.journal.append({
      opKey: `hold:${hold._id}:close`,
      accountId: hold.accountId,
      kind: 'hold_capture',
      effect: closeEffect('capture', hold.amount, 400n),
      ref: hold._id,
      capture: { amount: 400n, settle: [{ accountId: sales, amount: 400n }] },
    });
    assert.equal((await db.holds.findOne({ _id: hold._id }))?.status, 'pending');

    const restarted = processOf();
    await recoverLater(restarted);
    const stored = (await db.holds.findOne({ _id: hold._id })) as HoldDoc;
    assert.equal(stored.status, 'captured');
    assert.equal(stored.captured, 400n);
    assert.deepEqual(await balanceOf(app, customerAccountId(buyer, EUR)), {
      seq: 3,
      balance: 600n,
      held: 0n,
    });
    assert.equal((await balanceOf(app, sales)).balance, salesBefore + 400n, 'the sales account got it once');
    assert.deepEqual(await events(hold._id), ['payment.hold_closed', 'payment.hold_placed']);

    // The caller's retry is answered from the entry, and neither it nor recovery moves anything again.
    const journalSize = await db.journal.countDocuments();
    const retried = await restarted.holds.capture(hold._id, 400n);
    assert.equal(retried.failure, undefined);
    assert.equal(retried.hold.status, 'captured');
    await recoverLater(restarted);
    assert.equal(await db.journal.countDocuments(), journalSize);
    assert.deepEqual(await entries(hold._id), [
      `hold:${hold._id}:close`,
      `hold:${hold._id}:reserve`,
      `hold:${hold._id}:settle:0`,
    ]);
  });

  it('a hold crashed between its document and its reserve is reserved once by recovery', async () => {
    const app = processOf();
    const buyer = `user-${randomUUID()}`;
    await fund(app, buyer, EUR, 1_000n);
    const accountId = customerAccountId(buyer, EUR);
    const now = new Date();
    const id = `hol_interrupted_${randomUUID()}`;
    await db.holds.insertOne({
      _id: id,
      purpose: 'order',
      orderId: 'o-crashed',
      userId: buyer,
      accountId,
      currency: EUR,
      amount: 250n,
      captured: 0n,
      status: 'pending',
      settleTo: [{ accountId: 'sys_sales_EUR_0' }],
      fingerprint: 'x',
      expiresAt: new Date(now.getTime() + 600_000),
      createdAt: now,
      updatedAt: now,
    });
    await recoverLater(processOf());
    assert.equal((await db.holds.findOne({ _id: id }))?.status, 'authorized');
    assert.deepEqual(await balanceOf(app, accountId), { seq: 2, balance: 1_000n, held: 250n });
    assert.deepEqual(await events(id), ['payment.hold_placed']);
    await recoverLater(processOf());
    assert.deepEqual(await entries(id), [`hold:${id}:reserve`]);
  });
});
