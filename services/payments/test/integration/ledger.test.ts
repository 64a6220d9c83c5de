// The journal and the use cases on a real FerretDB: races on one account, idempotent replays, holds,
// refunds, recovery after an interrupted movement, and reconciliation.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isAppError } from '@shopstack/kit';
import { recoverOnce } from '../../src/app/jobs.js';
import type { PaymentsApp } from '../../src/app/payments.js';
import { customerAccountId } from '../../src/domain/ids.js';
import { balanceOf, createReplica, createTestApp, fund } from '../support/app.js';

describe('payments ledger on FerretDB', function () {
  this.timeout(60_000);
  let app: PaymentsApp & { drop(): Promise<void> };
  const EUR = 'EUR';
  const user = () => `user-${randomUUID()}`;

  before(async () => {
    app = await createTestApp();
  });
  after(async () => {
    await app?.drop();
  });

  it('concurrent debits of one account never overdraw it and each append gets its own seq', async () => {
    const alice = user();
    const bob = user();
    await fund(app, alice, EUR, 1_000n);
    await app.accounts.open(bob, EUR);
    // 30 transfers of 100 (+2 fee each) race for 1000: at most 9 can succeed (9 * 102 = 918).
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        app.transfers.transfer({
          userId: alice,
          idempotencyKey: randomUUID(),
          currency: EUR,
          toUserId: bob,
          amount: 100n,
        }),
      ),
    );
    const completed = results.filter((r) => r.status === 'completed').length;
    assert.equal(completed, 9);
    assert.equal(results.filter((r) => r.status === 'declined').length, 21);
    const a = await balanceOf(app, customerAccountId(alice, EUR));
    const b = await balanceOf(app, customerAccountId(bob, EUR));
    assert.equal(a.balance, 1_000n - 9n * 102n);
    assert.equal(b.balance, 900n);
    const seqs = await app.db.journal
      .find({ accountId: customerAccountId(alice, EUR) })
      .sort({ seq: 1 })
      .toArray();
    assert.deepEqual(
      seqs.map((e) => e.seq),
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
  });

  it('a replayed transfer returns the first result and moves money once; other arguments are refused', async () => {
    const alice = user();
    const bob = user();
    await fund(app, alice, EUR, 500n);
    await app.accounts.open(bob, EUR);
    const key = randomUUID();
    const command = { userId: alice, idempotencyKey: key, currency: EUR, toUserId: bob, amount: 200n };
    const [first, second] = await Promise.all([
      app.transfers.transfer(command),
      app.transfers.transfer(command),
    ]);
    const third = await app.transfers.transfer(command);
    assert.equal(first._id, second._id);
    assert.equal(third._id, first._id);
    assert.equal(third.status, 'completed');
    assert.equal((await balanceOf(app, customerAccountId(bob, EUR))).balance, 200n);
    await assert.rejects(
      app.transfers.transfer({ ...command, amount: 201n }),
      (e: unknown) => isAppError(e) && e.code === 'idempotency-key-reused',
    );
    assert.equal((await balanceOf(app, customerAccountId(alice, EUR))).balance, 500n - 200n - 3n);
  });

  it('holds reserve funds, capture part, release the rest, and a capture racing a void has one winner', async () => {
    const buyer = user();
    await fund(app, buyer, EUR, 1_000n);
    const account = customerAccountId(buyer, EUR);
    const { hold } = await app.holds.authorize({
      idempotencyKey: randomUUID(),
      orderId: 'o-1',
      userId: buyer,
      amount: 700n,
      currency: EUR,
    });
    assert.equal(hold.status, 'authorized');
    assert.deepEqual(await balanceOf(app, account), { seq: 2, balance: 1_000n, held: 700n });
    const second = await app.holds.authorize({
      idempotencyKey: randomUUID(),
      orderId: 'o-2',
      userId: buyer,
      amount: 301n,
      currency: EUR,
    });
    assert.equal(second.failure, 'INSUFFICIENT_FUNDS');
    const [capture, voided] = await Promise.all([
      app.holds.capture(hold._id, 400n),
      app.holds.void(hold._id),
    ]);
    const winners = [capture, voided].filter((r) => !r.failure);
    assert.equal(winners.length, 1);
    const state = await balanceOf(app, account);
    assert.equal(state.held, 0n);
    const sales = (await balanceOf(app, hold.settleTo[0]!.accountId)).balance;
    if (!capture.failure) {
      assert.equal(state.balance, 600n);
      assert.equal(capture.hold.status, 'captured');
      assert.ok(sales >= 400n);
    } else {
      assert.equal(state.balance, 1_000n);
      assert.equal(voided.hold.status, 'voided');
    }
    // Closing again reports the hold as closed and changes nothing.
    const again = await app.holds.capture(hold._id, 100n);
    assert.equal(again.failure, 'HOLD_CLOSED');
    assert.deepEqual(await balanceOf(app, account), state);
  });

  it('a replica deciding on the head it remembers, which another replica moved on, never overdraws', async () => {
    // Each replica first decides on the last state it saw of an account, without reading it.
    const other = createReplica(app);
    const stale = createReplica(app);
    const buyer = user();
    const account = customerAccountId(buyer, EUR);
    await fund(app, buyer, EUR, 1_000n); // `app` remembers: balance 1000, nothing held
    await stale.journal.state(account); // and so does `stale`, which writes nothing until the end
    const authorize = (on: PaymentsApp, amount: bigint) =>
      on.holds.authorize({
        idempotencyKey: randomUUID(),
        orderId: randomUUID(),
        userId: buyer,
        amount,
        currency: EUR,
      });
    const first = await authorize(other, 700n);
    assert.equal(first.hold.status, 'authorized');
    // `app` remembers 1000 available, the journal says 300: the index refuses the stale decision.
    const second = await authorize(app, 700n);
    assert.equal(second.failure, 'INSUFFICIENT_FUNDS');
    assert.deepEqual(await balanceOf(app, account), { seq: 3, balance: 1_000n, held: 700n });
    const third = await authorize(other, 300n); // `other` remembers seq 2: decided again after seq 3
    assert.equal(third.hold.status, 'authorized');
    assert.equal((await app.holds.void(first.hold._id)).hold.status, 'voided');
    // `stale` remembers nothing held, where releasing 300 is impossible: decided again on the journal.
    const captured = await stale.holds.capture(third.hold._id, undefined);
    assert.equal(captured.failure, undefined);
    assert.equal(captured.hold.status, 'captured');
    assert.deepEqual(await balanceOf(app, account), { seq: 6, balance: 700n, held: 0n });
    const entries = await app.db.journal.find({ accountId: account }).sort({ seq: 1 }).toArray();
    assert.deepEqual(
      entries.map((entry) => [entry.seq, entry.kind, entry.outcome]),
      [
        [1, 'credit', 'applied'],
        [2, 'hold_reserve', 'applied'],
        [3, 'hold_reserve', 'declined'],
        [4, 'hold_reserve', 'applied'],
        [5, 'hold_void', 'applied'],
        [6, 'hold_capture', 'applied'],
      ],
    );
  });

  it('expired holds are released by the recovery job', async () => {
    const buyer = user();
    await fund(app, buyer, EUR, 100n);
    const { hold } = await app.holds.authorize({
      idempotencyKey: randomUUID(),
      orderId: 'o-3',
      userId: buyer,
      amount: 100n,
      currency: EUR,
      ttlSeconds: 1,
    });
    await recoverOnce(app, { graceMs: 0, providerTimeoutMs: 60_000 }, new Date(Date.now() + 2_000));
    assert.equal((await app.holds.get(hold._id)).status, 'expired');
    assert.equal((await balanceOf(app, customerAccountId(buyer, EUR))).held, 0n);
    // A capture after the expiry is told so distinctly: it can never succeed.
    assert.equal((await app.holds.capture(hold._id, 0n)).failure, 'HOLD_EXPIRED');
    assert.equal((await app.holds.void(hold._id)).failure, undefined, 'voiding an expired hold is a no-op');
  });

  it('concurrent partial refunds never exceed the captured amount', async () => {
    const buyer = user();
    await fund(app, buyer, EUR, 1_000n);
    const { hold } = await app.holds.authorize({
      idempotencyKey: randomUUID(),
      orderId: 'o-4',
      userId: buyer,
      amount: 500n,
      currency: EUR,
    });
    await app.holds.capture(hold._id, 0n);
    const refunds = await Promise.all(
      Array.from({ length: 8 }, () =>
        app.refunds.refund({ idempotencyKey: randomUUID(), holdId: hold._id, amount: 100n }),
      ),
    );
    assert.equal(refunds.filter((r) => r.status === 'completed').length, 5);
    assert.equal(refunds.filter((r) => r.failureReason === 'EXCEEDS_REFUNDABLE').length, 3);
    assert.equal((await balanceOf(app, customerAccountId(buyer, EUR))).balance, 1_000n);
  });

  it('recovery completes a movement interrupted after its debit', async () => {
    const alice = user();
    const bob = user();
    await fund(app, alice, EUR, 300n);
    await app.accounts.open(bob, EUR);
    const id = `tra_interrupted_${randomUUID()}`;
    const now = new Date(Date.now() - 60_000);
    const legs = [
      { accountId: customerAccountId(alice, EUR), amount: -100n },
      { accountId: customerAccountId(bob, EUR), amount: 100n },
    ];
    await app.db.movements.insertOne({
      _id: id,
      kind: 'transfer',
      ownerId: alice,
      currency: EUR,
      amount: 100n,
      fee: 0n,
      legs,
      status: 'pending',
      fingerprint: 'x',
      createdAt: now,
      updatedAt: now,
    });
    // The process "crashed" right after the first leg.
    await app.journal.append({
      opKey: `mv:${id}:0`,
      accountId: legs[0]!.accountId,
      kind: 'debit',
      effect: { balanceDelta: -100n, heldDelta: 0n },
      ref: id,
    });
    await recoverOnce(app, { graceMs: 1_000, providerTimeoutMs: 60_000 });
    assert.equal((await app.db.movements.findOne({ _id: id }))?.status, 'completed');
    assert.equal((await balanceOf(app, customerAccountId(alice, EUR))).balance, 200n);
    assert.equal((await balanceOf(app, customerAccountId(bob, EUR))).balance, 100n);
  });

  it('a provider that never answers is flagged timed out, and a late success still credits once', async () => {
    const customer = user();
    const payment = await app.providerPayments.topUp({
      userId: customer,
      idempotencyKey: randomUUID(),
      currency: EUR,
      amount: 900n,
      token: 'tok_timeout',
    });
    assert.equal(payment.status, 'submitted');
    await recoverOnce(app, { graceMs: 0, providerTimeoutMs: 0 }, new Date(Date.now() + 1_000));
    assert.equal((await app.providerPayments.get(customer, payment._id)).status, 'timed_out');
    const late = { paymentId: payment._id, outcome: 'succeeded' as const };
    await app.providerPayments.onProviderEvent(late);
    await app.providerPayments.onProviderEvent(late);
    assert.equal((await app.providerPayments.get(customer, payment._id)).status, 'completed');
    assert.equal((await balanceOf(app, customerAccountId(customer, EUR))).balance, 900n);
  });

  it('reconciliation finds the journal consistent and reports a tampered balance', async () => {
    const clean = await app.reconciliation.run();
    assert.deepEqual(clean.problems, []);
    assert.equal(clean.differenceByCurrency.get(EUR), 0n);
    assert.equal(clean.imbalanceByCurrency.get(EUR), 0n);
    const victim = user();
    await fund(app, victim, EUR, 50n);
    await app.db.journal.updateOne(
      { accountId: customerAccountId(victim, EUR), seq: 1 },
      { $set: { balance: 80n } },
    );
    const report = await app.reconciliation.run();
    assert.equal(report.differenceByCurrency.get(EUR), 30n);
    assert.ok(report.problems.some((p) => p.accountId === customerAccountId(victim, EUR)));
  });
});
