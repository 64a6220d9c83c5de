// Ledger adjustments with four eyes (domain/adjustments.ts): one admin requests, a second, different
// admin approves, and only then does the money move, as a movement under the adjustment's own id.
// Every step is safe to repeat and to race: the request is created once under its key, the approval
// is one insert under the adjustment's id (the unique _id lets exactly one approver win, also on
// FerretDB), and the movement is created once and driven like any other (movements.ts).
// A crash after the approval leaves an approved adjustment; the recovery job posts it. A posted
// adjustment's repair.recorded event is stored after its journal entry and before its status says
// posted (events.ts), so a crash between them stores the same event again on recovery.
import { AppError } from '@shopstack/kit';
import type { Accounts } from '../adapters/accounts.js';
import type { AdjustmentDoc } from '../adapters/documents.js';
import type { Journal } from '../adapters/journal.js';
import type { AdjustmentStore, MovementStore } from '../adapters/operation-stores.js';
import { adjustmentLegs, approvalRefusal } from '../domain/adjustments.js';
import { allowsOverdraft, fingerprint, operationId } from '../domain/ids.js';
import { checkLegs } from '../domain/movement.js';
import { idempotencyConflict, notFound, unprocessable } from './errors.js';
import type { PaymentEvents } from './events.js';
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
    private readonly adjustments: AdjustmentStore,
    private readonly movements: MovementStore,
    private readonly journal: Journal,
    private readonly accounts: Accounts,
    private readonly runner: MovementRunner,
    private readonly events: PaymentEvents,
  ) {}

  async request(command: AdjustmentRequest): Promise<AdjustmentDoc> {
    const { userId, currency, amount } = command;
    const account = await this.accounts.findCustomer(userId, currency);
    if (!account) throw unprocessable('no-account', 'currency', `the user has no ${currency} account`);
    const id = operationId('adjustment', command.requestedBy, command.idempotencyKey);
    const house = await this.accounts.system('adjustments', currency, id);
    const now = new Date();
    const result = await this.adjustments.create({
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
    if (!(await this.adjustments.recordApproval(adjustmentId, approvedBy))) refuseIf('already-approved');
    return this.post(adjustment);
  }

  async get(adjustmentId: string): Promise<AdjustmentDoc> {
    const adjustment = await this.adjustments.get(adjustmentId);
    if (!adjustment) throw notFound('adjustment');
    return adjustment;
  }

  list(userId: string | undefined, limit = 100): Promise<AdjustmentDoc[]> {
    return this.adjustments.list(userId, limit);
  }

  /** Posts approved adjustments a crash interrupted (older than `before`). */
  async recover(before: Date, limit = 200): Promise<number> {
    const waiting = await this.adjustments.stuck(['awaiting_approval', 'approved'], before, limit);
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
    await this.adjustments.advance(adjustment._id, ['awaiting_approval'], {
      status: 'approved',
      ...approved,
    });
    const legs = adjustmentLegs(adjustment.accountId, adjustment.houseAccountId, adjustment.amount);
    checkLegs(legs, { overdraft: allowsOverdraft });
    const now = new Date();
    const created = await this.movements.create({
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
    const entry = await this.journal.get(`mv:${movement._id}:${customerLeg}`);
    let outcome: Partial<AdjustmentDoc> = {
      status: 'declined',
      failureReason: movement.failureReason ?? 'DECLINED',
    };
    if (movement.status === 'completed' && entry) {
      const balance = { before: entry.balance - entry.balanceDelta, after: entry.balance };
      await this.events.adjustmentPosted(adjustment, approval.approvedBy, balance);
      outcome = { status: 'posted', balanceBefore: balance.before, balanceAfter: balance.after };
    }
    await this.adjustments.advance(adjustment._id, ['awaiting_approval', 'approved'], {
      ...approved,
      ...outcome,
    });
    return { ...adjustment, ...approved, ...outcome };
  }

  private approvalOf(adjustmentId: string) {
    return this.adjustments.approvalOf(adjustmentId);
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
