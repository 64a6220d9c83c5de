// Cashback on captured order payments and chargebacks of top-ups, on a real FerretDB: every movement
// once, replayed and late provider events change nothing, refunds take back their share of the
// cashback, and the ledger stays balanced (reconciliation clean).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ProviderPaymentDoc } from '../../src/adapters/documents.js';
import type { PaymentsApp } from '../../src/app/payments.js';
import { parseFeeSchedule } from '../../src/domain/fees.js';
import { customerAccountId } from '../../src/domain/ids.js';
import { balanceOf, createTestApp, fund, TEST_FEES } from '../support/app.js';

const EUR = 'EUR';

describe('payments: cashback and chargebacks', function () {
  this.timeout(60_000);
  let app: PaymentsApp & { drop(): Promise<void> };
  const user = () => `user-${randomUUID()}`;
  const balance = async (userId: string) => (await balanceOf(app, customerAccountId(userId, EUR))).balance;
  /** The sum over all accounts of one system kind (its shards). */
  const systemTotal = async (kind: string) => {
    let total = 0n;
    for (const account of await app.db.accounts.find({ kind: kind as never }).toArray()) {
      total += (await balanceOf(app, account._id)).balance;
    }
    return total;
  };

  before(async () => {
    // 2 % cashback on captures, rounded up.
    const { cashback } = parseFeeSchedule(JSON.stringify({ cashback: { basisPoints: 200 } }));
    app = await createTestApp({ ...TEST_FEES, cashback });
  });
  after(async () => {
    await app?.drop();
  });

  async function capturedOrder(buyer: string, amount: bigint) {
    const { hold } = await app.holds.authorize({
      idempotencyKey: randomUUID(),
      orderId: `order-${randomUUID()}`,
      userId: buyer,
      amount,
      currency: EUR,
    });
    await app.holds.capture(hold._id, 0n);
    return hold;
  }

  it('pays cashback from the cashback account once per capture, and a refund takes its share back', async () => {
    const buyer = user();
    await fund(app, buyer, EUR, 10_000n);
    const cashbackBefore = await systemTotal('cashback');
    const hold = await capturedOrder(buyer, 5_000n);
    assert.equal(await balance(buyer), 10_000n - 5_000n + 100n);
    assert.equal(await systemTotal('cashback'), cashbackBefore - 100n);
    const entries = await app.db.journal.countDocuments({ ref: hold._id });
    await app.holds.capture(hold._id, 0n); // a replay
    await app.holds.recover(new Date(Date.now() + 60_000));
    assert.equal(await app.db.journal.countDocuments({ ref: hold._id }), entries, 'paid once');

    // Half refunded: 2500 back, less the 50 of cashback it had earned.
    await app.refunds.refund({ idempotencyKey: 'r1', holdId: hold._id, amount: 2_500n });
    assert.equal(await balance(buyer), 5_100n + 2_450n);
    await app.refunds.refund({ idempotencyKey: 'r2', holdId: hold._id, amount: 2_500n });
    assert.equal(await balance(buyer), 10_000n, 'all refunded: the cashback is all back too');
    assert.equal(await systemTotal('cashback'), cashbackBefore);
  });

  it('pays no cashback on withdrawals (only order payments earn it)', async () => {
    const saver = user();
    await fund(app, saver, EUR, 1_000n);
    const payment = await app.providerPayments.withdraw({
      userId: saver,
      idempotencyKey: randomUUID(),
      currency: EUR,
      amount: 500n,
      token: 'tok_ok',
    });
    await app.providerPayments.onProviderEvent({ paymentId: payment._id, outcome: 'succeeded' });
    assert.equal(await balance(saver), 1_000n - 500n - 5n); // amount + the 5 withdrawal fee
  });

  async function toppedUp(userId: string, amount: bigint): Promise<ProviderPaymentDoc> {
    await fund(app, userId, EUR, amount);
    const payment = await app.db.providerPayments.findOne({ userId, kind: 'topup', amount });
    assert.equal(payment?.status, 'completed');
    return payment!;
  }

  const dispute = (payment: ProviderPaymentDoc, outcome: 'dispute_opened' | 'dispute_won' | 'dispute_lost') =>
    app.providerPayments.onProviderEvent({
      paymentId: payment._id,
      outcome,
      disputeId: `dp-${payment._id}`,
      amount: payment.amount.toString(),
    });

  it('takes a charged-back top-up back when the dispute opens and returns it when it is won; replays change nothing', async () => {
    const payer = user();
    const payment = await toppedUp(payer, 8_000n);
    const journal = await app.db.journal.countDocuments();
    await dispute(payment, 'dispute_opened');
    assert.equal(await balance(payer), 0n);
    const afterOpened = await app.db.journal.countDocuments();
    assert.ok(afterOpened > journal);
    await dispute(payment, 'dispute_opened'); // replayed
    assert.equal(await app.db.journal.countDocuments(), afterOpened);

    await dispute(payment, 'dispute_won');
    assert.equal(await balance(payer), 8_000n);
    const afterWon = await app.db.journal.countDocuments();
    for (const late of ['dispute_won', 'dispute_lost', 'dispute_opened'] as const)
      await dispute(payment, late);
    assert.equal(await app.db.journal.countDocuments(), afterWon);
    const [stored] = await app.disputes.get(payment._id);
    assert.equal(stored?.status, 'won');
  });

  it('covers what the customer already spent from the chargeback account, which a lost dispute keeps', async () => {
    const payer = user();
    const friend = user();
    const payment = await toppedUp(payer, 5_000n);
    await app.accounts.open(friend, EUR);
    await app.transfers.transfer({
      userId: payer,
      idempotencyKey: randomUUID(),
      currency: EUR,
      toUserId: friend,
      amount: 3_000n,
    }); // 3000 + the 31 transfer fee
    const losses = await systemTotal('chargebacks');
    await dispute(payment, 'dispute_opened');
    assert.equal(await balance(payer), 0n, 'the customer pays what they still have');
    assert.equal(await systemTotal('chargebacks'), losses - (3_000n + 31n), 'the shop covers the rest');
    await dispute(payment, 'dispute_lost');
    await dispute(payment, 'dispute_won'); // too late: lost is final
    assert.equal(await balance(payer), 0n);
    assert.equal(await systemTotal('chargebacks'), losses - 3_031n);
  });

  it('refuses a decision on a dispute it never saw opened (the provider retries), changing nothing', async () => {
    const payer = user();
    const payment = await toppedUp(payer, 1_000n);
    const journal = await app.db.journal.countDocuments();
    await assert.rejects(dispute(payment, 'dispute_won'), /before it was opened/);
    assert.equal(await app.db.journal.countDocuments(), journal);
    assert.equal(await balance(payer), 1_000n);
  });

  it('keeps the ledger balanced through all of it', async () => {
    const report = await app.reconciliation.run();
    assert.deepEqual(report.problems, []);
    assert.equal(report.differenceByCurrency.get(EUR), 0n);
    assert.equal(report.imbalanceByCurrency.get(EUR), 0n);
  });
});
