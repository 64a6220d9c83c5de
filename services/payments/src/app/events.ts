// The integration events payments publishes (contracts in @shopstack/proto/messages), each about money
// that has finally moved. Every use case calls these after the last journal entry of its operation and
// before the operation's status says completed (see adapters/outbox.ts for why that order is safe), so
// an event exists for every completed operation and for none that is still in flight or declined.
import {
  paymentRefunded,
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
  repairRecorded,
} from '@shopstack/proto/messages';
import type { Accounts } from '../adapters/accounts.js';
import type { AdjustmentDoc, MovementDoc, ProviderPaymentDoc, RefundDoc } from '../adapters/documents.js';
import type { MongoOutbox } from '../adapters/outbox.js';

/** Where events go; undefined in app-level suites that read no events. */
export type EventSink = Pick<MongoOutbox, 'put'>;

export class PaymentEvents {
  constructor(
    private readonly outbox: EventSink | undefined,
    private readonly accounts: Accounts,
  ) {}

  /** A top-up's movement is complete: `amountMinor` is what the customer was credited. */
  topUpCompleted(payment: ProviderPaymentDoc): Promise<void> {
    return this.providerPayment(paymentTopUpCompleted, payment, payment.amount - payment.fee);
  }

  /** A withdrawal's hold was captured: `amountMinor` was paid out, `feeMinor` kept on top of it. */
  withdrawalCompleted(payment: ProviderPaymentDoc): Promise<void> {
    return this.providerPayment(paymentWithdrawalCompleted, payment, payment.amount);
  }

  /** Both contracts have the same fields. */
  private async providerPayment(
    contract: typeof paymentTopUpCompleted | typeof paymentWithdrawalCompleted,
    payment: ProviderPaymentDoc,
    amount: bigint,
  ): Promise<void> {
    await this.outbox?.put({
      operationId: payment._id,
      type: contract.type,
      payload: contract.encode({
        userId: payment.userId,
        paymentId: payment._id,
        amountMinor: String(amount),
        feeMinor: String(payment.fee),
        currency: payment.currency,
        completedAt: new Date().toISOString(),
      }),
    });
  }

  /** Called for every completed movement; only a transfer tells anyone (its receiver). */
  async movementCompleted(movement: MovementDoc): Promise<void> {
    if (movement.kind !== 'transfer') return;
    const receiver = await this.accounts.get(movement.legs[1]!.accountId);
    if (!receiver) throw new Error(`transfer ${movement._id}: receiving account is missing`);
    await this.outbox?.put({
      operationId: movement._id,
      type: paymentTransferReceived.type,
      payload: paymentTransferReceived.encode({
        userId: receiver.userId,
        fromUserId: movement.ownerId,
        transferId: movement._id,
        amountMinor: String(movement.amount),
        currency: movement.currency,
        completedAt: new Date().toISOString(),
      }),
    });
  }

  /**
   * A refund was credited. `creditedMinor` is what reached the customer's account: the refund less
   * the share of the order's cashback taken back with it.
   */
  async refunded(refund: RefundDoc, orderId: string, creditedMinor: bigint): Promise<void> {
    await this.outbox?.put({
      operationId: refund._id,
      type: paymentRefunded.type,
      payload: paymentRefunded.encode({
        userId: refund.userId,
        refundId: refund._id,
        orderId,
        amountMinor: String(creditedMinor),
        currency: refund.currency,
        completedAt: new Date().toISOString(),
      }),
    });
  }

  /**
   * A four-eyes ledger adjustment posted: the back office's reports count it (repair.recorded, like
   * every repair). `before` and `after` are the customer's balance around its journal entry.
   */
  async adjustmentPosted(
    adjustment: AdjustmentDoc,
    approvedBy: string,
    balance: { before: bigint; after: bigint },
  ): Promise<void> {
    await this.outbox?.put({
      operationId: adjustment._id,
      type: repairRecorded.type,
      payload: repairRecorded.encode({
        repairId: adjustment._id,
        kind: 'ledger_adjustment',
        service: 'payments',
        subjectId: adjustment.accountId,
        actorId: adjustment.requestedBy,
        approvedBy,
        reason: adjustment.reason,
        before: { balanceMinor: String(balance.before), currency: adjustment.currency },
        after: { balanceMinor: String(balance.after), currency: adjustment.currency },
        money: {
          userId: adjustment.userId,
          amountMinor: String(adjustment.amount),
          currency: adjustment.currency,
        },
        at: new Date().toISOString(),
      }),
    });
  }
}
