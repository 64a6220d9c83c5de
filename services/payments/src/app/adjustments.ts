// Ledger adjustments with four eyes (domain/adjustments.ts): one admin requests, a second, different
// admin approves, and only then does the money move, as a movement under the adjustment's own id.
// Every step is safe to repeat and to race: the request is created once under its key, the approval
// is one insert under the adjustment's id (the unique _id lets exactly one approver win, also on
// FerretDB), and the movement is created once and driven like any other (movements.ts).
// A crash after the approval leaves an approved adjustment; the recovery job posts it.
import { AppError } from '@shopstack/kit';
import type { Accounts } from '../adapters/accounts.js';
import type { AdjustmentDoc, MovementDoc } from '../adapters/documents.js';
import { isDuplicateKey, type PaymentsDb } from '../adapters/mongo.js';
import { advance, createOnce } from '../adapters/operations.js';
import { adjustmentLegs, approvalRefusal } from '../domain/adjustments.js';
import { allowsOverdraft, fingerprint, operationId } from '../domain/ids.js';
import { checkLegs } from '../domain/movement.js';
import { idempotencyConflict, notFound, unprocessable } from './errors.js';
import type { MovementRunner } from './movements.js';

export interface AdjustmentRequest {
  idempotencyKey: string;
  requestedBy: string;
  userId: string;
  currency: string;
  amount: bigint;
  reason: string;
}

export class Adjustments {
  constructor(
    private readonly db: PaymentsDb,
    private readonly accounts: Accounts,
    private readonly runner: MovementRunner,
  ) {}

  async request(command: AdjustmentRequest): Promise<AdjustmentDoc> {
    const { userId, currency, amount } = command;
    const account = await this.accounts.findCustomer(userId, currency);
    if (!account) throw unprocessable('no-account', 'currency', `the user has no ${currency} account`);
    const id = operationId('adjustment', command.requestedBy, command.idempotencyKey);
    const house = await this.accounts.system('adjustments', currency, id);
    const now = new Date();
    const result = await createOnce(this.db.adjustments, {
      _id: id,
      userId,
      accountId: account._id,
      houseAccountId: house._id,
      currency,
      amount,
      reason: command.reason,
      requestedBy: command.requestedBy,
      status: 'awaiting_approval',
      fingerprint: fingerprint({ kind: 'adjustment', userId, currency, amount, reason: command.reason }),
      createdAt: now,
      updatedAt: now,
    });
    if (result.kind === 'conflict') throw idempotencyConflict();
    return result.doc;
  }

  async approve(adjustmentId: string, approvedBy: string): Promise<AdjustmentDoc> {
    const adjustment = await this.get(adjustmentId);
    refuseIf(approvalRefusal(adjustment, approvedBy));
    try {
      await this.db.adjustmentApprovals.insertOne({ _id: adjustmentId, approvedBy, at: new Date() });
    } catch (error) {
      if (isDuplicateKey(error)) refuseIf('already-approved');
      throw error;
    }
    return this.post(adjustment);
  }

  async get(adjustmentId: string): Promise<AdjustmentDoc> {
    const adjustment = await this.db.adjustments.findOne({ _id: adjustmentId });
    if (!adjustment) throw notFound('adjustment');
    return adjustment;
  }

  list(userId: string | undefined, limit = 100): Promise<AdjustmentDoc[]> {
    return this.db.adjustments
      .find(userId ? { userId } : {})
      .sort({ createdAt: -1 })
      .limit(limit)
      .toArray();
  }

  /** Posts approved adjustments a crash interrupted (older than `before`). */
  async recover(before: Date, limit = 200): Promise<number> {
    const waiting = await this.db.adjustments
      .find({ status: { $in: ['awaiting_approval', 'approved'] }, updatedAt: { $lt: before } })
      .limit(limit)
      .toArray();
    let posted = 0;
    for (const adjustment of waiting) {
      // Awaiting: only those whose approval was stored before the crash.
      if (adjustment.status === 'awaiting_approval' && !(await this.approvalOf(adjustment._id))) continue;
      await this.post(adjustment);
      posted++;
    }
    return posted;
  }

  /** The adjustment has its approval: create its movement once, drive it, record the outcome. */
  private async post(adjustment: AdjustmentDoc): Promise<AdjustmentDoc> {
    const approval = await this.approvalOf(adjustment._id);
    if (!approval) throw new Error(`adjustment ${adjustment._id} posted without an approval`);
    const approved = { approvedBy: approval.approvedBy, approvedAt: approval.at };
    await advance(this.db.adjustments, adjustment._id, ['awaiting_approval'], {
      status: 'approved',
      ...approved,
    });
    const legs = adjustmentLegs(adjustment.accountId, adjustment.houseAccountId, adjustment.amount);
    checkLegs(legs, { overdraft: allowsOverdraft });
    const now = new Date();
    const created = await createOnce<MovementDoc>(this.db.movements, {
      _id: adjustment._id,
      kind: 'adjustment',
      ownerId: adjustment.requestedBy,
      currency: adjustment.currency,
      amount: adjustment.amount < 0n ? -adjustment.amount : adjustment.amount,
      fee: 0n,
      legs,
      status: 'pending',
      fingerprint: adjustment.fingerprint,
      createdAt: now,
      updatedAt: now,
    });
    if (created.kind === 'conflict') throw new Error(`movement ${adjustment._id} is not this adjustment's`);
    const movement = await this.runner.drive(created.doc);
    const customerLeg = legs.findIndex((leg) => leg.accountId === adjustment.accountId);
    const entry = await this.db.journal.findOne({ _id: `mv:${movement._id}:${customerLeg}` });
    const outcome: Partial<AdjustmentDoc> =
      movement.status === 'completed' && entry
        ? {
            status: 'posted',
            balanceBefore: entry.balance - entry.balanceDelta,
            balanceAfter: entry.balance,
          }
        : { status: 'declined', failureReason: movement.failureReason ?? 'DECLINED' };
    await advance(this.db.adjustments, adjustment._id, ['awaiting_approval', 'approved'], {
      ...approved,
      ...outcome,
    });
    return { ...adjustment, ...approved, ...outcome };
  }

  private approvalOf(adjustmentId: string) {
    return this.db.adjustmentApprovals.findOne({ _id: adjustmentId });
  }
}

function refuseIf(refusal: ReturnType<typeof approvalRefusal>): void {
  if (refusal === 'same-admin')
    throw new AppError(
      'forbidden',
      'four-eyes',
      'an adjustment is approved by a second admin, not the one who requested it',
    );
  if (refusal === 'already-approved')
    throw new AppError('conflict', 'adjustment-already-approved', 'this adjustment was already approved');
}
