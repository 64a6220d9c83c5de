// Ledger adjustments with four eyes, over the real gRPC API on FerretDB: nothing posts without a
// second admin; the requester cannot approve; a second approval is refused; the approved adjustment
// posts once (replays and recovery change nothing) against the house adjustments account, so the
// ledger's invariants (the bank test's) still hold: reconciliation finds no problem and no
// difference, each currency's balances sum to zero, no customer balance is negative.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AdjustmentStatus } from '@shopstack/proto/shop/payments/v1/payments';
import { ClientError, Status } from 'nice-grpc';
import { recoverOnce } from '../../src/app/jobs.js';
import { customerAccountId } from '../../src/domain/ids.js';
import type { PaymentsService } from '../../src/service.js';
import { fund } from '../support/app.js';
import { type GrpcTestService, type PaymentsClient, startGrpcTestService } from '../support/grpc-service.js';

describe('payments ledger adjustments (four eyes)', function () {
  this.timeout(60_000);
  let shop: GrpcTestService;
  let service: PaymentsService;
  let client: PaymentsClient;
  const customer = `customer-${randomUUID()}`;
  const alice = `admin-alice-${randomUUID()}`;
  const bob = `admin-bob-${randomUUID()}`;
  const carol = `admin-carol-${randomUUID()}`;

  before(async () => {
    shop = await startGrpcTestService({ RECOVERY_INTERVAL_MS: '600000' });
    service = shop.service;
    client = await shop.clientAs('backoffice');
    await fund(service.app, customer, 'EUR', 10_000n);
  });

  after(async () => {
    await shop?.close();
  });

  const balance = async () =>
    (await client.getBalance({ userId: customer, currency: 'EUR' })).balance?.balanceMinor;
  const request = (amountMinor: string, idempotencyKey = randomUUID(), requestedBy = alice) =>
    client.requestAdjustment({
      idempotencyKey,
      requestedBy,
      userId: customer,
      currency: 'EUR',
      amountMinor,
      reason: 'double charge in incident 2026-12-01',
    });
  const refusedWith = (status: Status) => (error: unknown) =>
    error instanceof ClientError && error.code === status;

  async function assertLedgerHolds() {
    const report = await service.app.reconciliation.run();
    assert.deepEqual(report.problems, []);
    for (const [, difference] of report.differenceByCurrency) assert.equal(difference, 0n);
    for (const [, imbalance] of report.imbalanceByCurrency) assert.equal(imbalance, 0n);
  }

  it('a requested adjustment moves nothing until a second admin approves it, then posts once', async () => {
    const key = randomUUID();
    const { adjustment } = await request('1500', key);
    assert.equal(adjustment?.status, AdjustmentStatus.ADJUSTMENT_STATUS_AWAITING_APPROVAL);
    assert.match(adjustment!.houseAccountId, /^sys_adjustments_EUR_\d$/);
    // Repeating the request under its key returns it; the same key for another amount is refused.
    assert.equal((await request('1500', key)).adjustment?.adjustmentId, adjustment!.adjustmentId);
    await assert.rejects(request('1600', key), refusedWith(Status.ALREADY_EXISTS));

    // Recovery does not post an unapproved adjustment, however old.
    await recoverOnce(service.app, { graceMs: 0, providerTimeoutMs: 120_000 }, new Date(Date.now() + 60_000));
    assert.equal(await balance(), '10000');
    const journal = service.app.db.journal;
    assert.equal(await journal.countDocuments({ ref: adjustment!.adjustmentId }), 0);

    // The requester cannot approve their own adjustment.
    await assert.rejects(
      client.approveAdjustment({ adjustmentId: adjustment!.adjustmentId, approvedBy: alice }),
      refusedWith(Status.PERMISSION_DENIED),
    );
    assert.equal(await balance(), '10000');

    const approved = await client.approveAdjustment({
      adjustmentId: adjustment!.adjustmentId,
      approvedBy: bob,
    });
    assert.equal(approved.adjustment?.status, AdjustmentStatus.ADJUSTMENT_STATUS_POSTED);
    assert.equal(approved.adjustment?.approvedBy, bob);
    assert.equal(approved.adjustment?.balanceBeforeMinor, '10000');
    assert.equal(approved.adjustment?.balanceAfterMinor, '11500');
    assert.equal(await balance(), '11500');

    // A second approval, by the same or another admin, is refused and moves nothing.
    for (const approver of [bob, carol])
      await assert.rejects(
        client.approveAdjustment({ adjustmentId: adjustment!.adjustmentId, approvedBy: approver }),
        refusedWith(Status.ALREADY_EXISTS),
      );
    await recoverOnce(service.app, { graceMs: 0, providerTimeoutMs: 120_000 }, new Date(Date.now() + 60_000));
    assert.equal(await balance(), '11500');
    // Exactly two entries: the customer's credit and the house account's debit.
    const entries = await journal.find({ ref: adjustment!.adjustmentId }).toArray();
    assert.deepEqual(
      entries.map((e) => [e.accountId, e.balanceDelta]).sort(),
      [
        [adjustment!.houseAccountId, -1500n],
        [customerAccountId(customer, 'EUR'), 1500n],
      ].sort(),
    );
    const stored = await client.getAdjustment({ adjustmentId: adjustment!.adjustmentId });
    assert.equal(stored.adjustment?.status, AdjustmentStatus.ADJUSTMENT_STATUS_POSTED);
    assert.equal(stored.adjustment?.reason, 'double charge in incident 2026-12-01');
    await assertLedgerHolds();
  });

  it('two admins racing to approve: exactly one approval wins and the money moves once', async () => {
    const { adjustment } = await request('-700', randomUUID(), carol);
    const results = await Promise.allSettled(
      [alice, bob, alice, bob].map((approvedBy) =>
        client.approveAdjustment({ adjustmentId: adjustment!.adjustmentId, approvedBy }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await balance(), '10800');
    await assertLedgerHolds();
  });

  it('a debit beyond the available funds is declined on approval and moves nothing', async () => {
    const { adjustment } = await request('-999999');
    const { adjustment: done } = await client.approveAdjustment({
      adjustmentId: adjustment!.adjustmentId,
      approvedBy: carol,
    });
    assert.equal(done?.status, AdjustmentStatus.ADJUSTMENT_STATUS_DECLINED);
    assert.equal(done?.failureReason, 'INSUFFICIENT_FUNDS');
    assert.equal(await balance(), '10800');
    const listed = await client.listAdjustments({ userId: customer });
    assert.deepEqual(
      listed.adjustments.map((a) => a.status),
      [
        AdjustmentStatus.ADJUSTMENT_STATUS_DECLINED,
        AdjustmentStatus.ADJUSTMENT_STATUS_POSTED,
        AdjustmentStatus.ADJUSTMENT_STATUS_POSTED,
      ],
    );
    await assertLedgerHolds();
  });

  it('an approval stored just before a crash is posted by the recovery job', async () => {
    const { adjustment } = await request('250');
    // What a crash right after the approval's insert leaves behind.
    await service.app.db.adjustmentApprovals.insertOne({
      _id: adjustment!.adjustmentId,
      approvedBy: bob,
      at: new Date(),
    });
    assert.equal(await balance(), '10800');
    await recoverOnce(service.app, { graceMs: 0, providerTimeoutMs: 120_000 }, new Date(Date.now() + 60_000));
    assert.equal(await balance(), '11050');
    const { adjustment: posted } = await client.getAdjustment({ adjustmentId: adjustment!.adjustmentId });
    assert.equal(posted?.status, AdjustmentStatus.ADJUSTMENT_STATUS_POSTED);
    assert.equal(posted?.approvedBy, bob);
    await assertLedgerHolds();
  });

  it('bad input is INVALID_ARGUMENT and stores nothing', async () => {
    for (const amountMinor of ['0', '-0', '1000000000000001'])
      await assert.rejects(request(amountMinor), refusedWith(Status.INVALID_ARGUMENT));
    await assert.rejects(
      client.requestAdjustment({
        idempotencyKey: randomUUID(),
        requestedBy: alice,
        userId: customer,
        currency: 'EUR',
        amountMinor: '100',
        reason: '',
      }),
      refusedWith(Status.INVALID_ARGUMENT),
    );
    await assert.rejects(
      client.approveAdjustment({ adjustmentId: 'adj_nope', approvedBy: bob }),
      refusedWith(Status.INVALID_ARGUMENT),
    );
    assert.equal((await client.listAdjustments({ userId: customer })).adjustments.length, 4);
  });

  it('lists the customer accounts and the statement with the adjustment entries', async () => {
    const { accounts } = await client.listAccounts({ userId: customer });
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.balanceMinor, '11050');
    const { entries } = await client.getStatement({
      accountId: accounts[0]!.accountId,
      limit: 2,
      beforeSeq: 0,
    });
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amountMinor, e.balanceMinor]),
      [
        ['credit', '250', '11050'],
        ['debit', '0', '10800'],
      ],
    );
  });
});
