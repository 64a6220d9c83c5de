// Refunds of captured money: the sales account pays the customer back. A per-hold refund log (same
// sequence guard as the journal) caps the sum of refunds at what the hold captured, even when refunds
// race; the money then moves as journal entries under the refund's own keys. The cashback the capture
// paid is taken back in proportion: that part of the refund goes to the cashback account instead.
import type { RefundDoc, RefundLogDoc } from '../adapters/documents.js';
import type { Journal } from '../adapters/journal.js';
import type { RefundLog } from '../adapters/operation-stores.js';
import type { OperationStore } from '../adapters/operations.js';
import { cashbackReturned } from '../domain/fees.js';
import { fingerprint, operationId } from '../domain/ids.js';
import { decideRefund, EMPTY_REFUND_LOG } from '../domain/refunds.js';
import { idempotencyConflict, invalid } from './errors.js';
import type { PaymentEvents } from './events.js';
import type { Holds } from './holds.js';

export interface RefundCommand {
  idempotencyKey: string;
  holdId: string;
  amount: bigint;
}

export class Refunds {
  constructor(
    private readonly refunds: OperationStore<RefundDoc>,
    private readonly refundLog: RefundLog,
    private readonly journal: Journal,
    private readonly holds: Holds,
    private readonly events: PaymentEvents,
  ) {}

  async refund(command: RefundCommand): Promise<RefundDoc> {
    const hold = await this.holds.get(command.holdId);
    if (hold.purpose !== 'order') throw invalid('holdId', 'only order payments can be refunded');
    const now = new Date();
    const created = await this.refunds.create({
      _id: operationId('refund', hold._id, command.idempotencyKey),
      holdId: hold._id,
      fromAccountId: hold.settleTo[0]!.accountId,
      userId: hold.userId,
      accountId: hold.accountId,
      currency: hold.currency,
      amount: command.amount,
      status: 'pending',
      fingerprint: fingerprint({ amount: command.amount }),
      createdAt: now,
      updatedAt: now,
    });
    if (created.kind === 'conflict') throw idempotencyConflict();
    return this.drive(created.doc);
  }

  async drive(refund: RefundDoc): Promise<RefundDoc> {
    if (refund.status !== 'pending') return refund;
    // What was captured is read from the journal (the truth), not from the hold's cached status.
    const close = await this.journal.get(`hold:${refund.holdId}:close`);
    const captured = close?.kind === 'hold_capture' ? (close.capture?.amount ?? 0n) : 0n;
    const opKey = `rf:${refund._id}`;
    const { entry: reservation } = await this.refundLog.append(
      refund.holdId,
      opKey,
      (head: RefundLogDoc | null): RefundLogDoc => {
        const state = head ? { seq: head.seq, refunded: head.refunded } : EMPTY_REFUND_LOG;
        const decision = decideRefund(captured, state, refund.amount);
        return {
          _id: opKey,
          holdId: refund.holdId,
          seq: decision.next.seq,
          outcome: decision.outcome,
          amount: refund.amount,
          refunded: decision.next.refunded,
          at: new Date(),
        };
      },
    );
    if (reservation.outcome === 'declined') return this.finish(refund, 'declined', 'EXCEEDS_REFUNDABLE');
    const debit = await this.journal.append({
      opKey: `rf:${refund._id}:debit`,
      accountId: refund.fromAccountId,
      kind: 'debit',
      effect: { balanceDelta: -refund.amount, heldDelta: 0n },
      ref: refund._id,
    });
    // Sales only ever receives captures and pays refunds capped by them, so this cannot decline unless
    // money left the sales account some other way; then nothing moved and the refund says so.
    if (debit.entry.outcome === 'declined') return this.finish(refund, 'declined', 'INSUFFICIENT_FUNDS');
    const cashback = close?.capture?.cashback;
    const returned = cashback ? cashbackReturned(cashback.amount, captured, refund.amount) : 0n;
    const credits = [
      { opKey: `rf:${refund._id}:credit`, accountId: refund.accountId, amount: refund.amount - returned },
      { opKey: `rf:${refund._id}:cashback`, accountId: cashback?.fromAccountId ?? '', amount: returned },
    ];
    for (const credit of credits.filter((c) => c.amount > 0n)) {
      await this.journal.append({
        opKey: credit.opKey,
        accountId: credit.accountId,
        kind: 'credit',
        effect: { balanceDelta: credit.amount, heldDelta: 0n },
        ref: refund._id,
      });
    }
    // Before the status: a crash here leaves the refund pending, and recovery stores the event again.
    const { orderId } = await this.holds.get(refund.holdId);
    await this.events.refunded(refund, orderId, returned);
    return this.finish(refund, 'completed');
  }

  /** The sum of completed refund reservations of a hold. */
  refunded(holdId: string): Promise<bigint> {
    return this.refundLog.refunded(holdId);
  }

  async recover(before: Date, limit = 200): Promise<number> {
    const stuck = await this.refunds.stuck(['pending'], before, limit);
    for (const refund of stuck) await this.drive(refund);
    return stuck.length;
  }

  private async finish(refund: RefundDoc, status: RefundDoc['status'], failureReason?: string) {
    const set = failureReason ? { status, failureReason } : { status };
    await this.refunds.advance(refund._id, ['pending'], set);
    return { ...refund, ...set };
  }
}
