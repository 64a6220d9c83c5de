// The integration events payments publishes (contracts in @shopstack/proto/messages), each about money
// that has finally moved. Every use case calls these after the last journal entry of its operation and
// before the operation's status says completed (see adapters/outbox.ts for why that order is safe), so
// an event exists for every completed operation and for none that is still in flight or declined.
import {
  paymentCashbackPaid,
  paymentChargebackClosed,
  paymentChargebackOpened,
  paymentHoldClosed,
  paymentHoldPlaced,
  paymentRefunded,
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
  repairRecorded,
} from '@shopstack/proto/messages';
import type { Accounts } from '../adapters/accounts.js';
import type {
  AdjustmentDoc,
  DisputeDoc,
  HoldDoc,
  JournalDoc,
  MovementDoc,
  ProviderPaymentDoc,
  RefundDoc,
} from '../adapters/documents.js';
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
   * A refund was credited: the refund less `cashbackReturned`, the share of the order's cashback
   * taken back with it, reached the customer's account.
   */
  async refunded(refund: RefundDoc, orderId: string, cashbackReturned: bigint): Promise<void> {
    await this.outbox?.put({
      operationId: refund._id,
      type: paymentRefunded.type,
      payload: paymentRefunded.encode({
        userId: refund.userId,
        refundId: refund._id,
        orderId,
        amountMinor: String(refund.amount - cashbackReturned),
        cashbackReturnedMinor: String(cashbackReturned),
        currency: refund.currency,
        completedAt: new Date().toISOString(),
      }),
    });
  }

  /**
   * A hold's reserve entry is in the journal (`reserve`): the funds are held. Stored before the hold
   * says authorized, so every authorized hold has its event and a declined one none.
   */
  async holdPlaced(hold: HoldDoc, reserve: JournalDoc): Promise<void> {
    await this.outbox?.put({
      operationId: hold._id,
      type: paymentHoldPlaced.type,
      payload: paymentHoldPlaced.encode({
        userId: hold.userId,
        holdId: hold._id,
        orderId: hold.orderId,
        purpose: hold.purpose,
        amountMinor: String(hold.amount),
        currency: hold.currency,
        placedAt: reserve.at.toISOString(),
      }),
    });
  }

  /**
   * A hold's close entry and everything it settles (and its cashback, told first) are in the journal;
   * stored before the hold says captured, voided or expired.
   */
  async holdClosed(hold: HoldDoc, close: JournalDoc, outcome: 'captured' | 'voided' | 'expired') {
    const cashback = close.capture?.cashback;
    if (cashback)
      await this.outbox?.put({
        operationId: hold._id,
        type: paymentCashbackPaid.type,
        payload: paymentCashbackPaid.encode({
          userId: hold.userId,
          holdId: hold._id,
          orderId: hold.orderId,
          amountMinor: String(cashback.amount),
          currency: hold.currency,
          paidAt: close.at.toISOString(),
        }),
      });
    await this.outbox?.put({
      operationId: hold._id,
      type: paymentHoldClosed.type,
      payload: paymentHoldClosed.encode({
        userId: hold.userId,
        holdId: hold._id,
        orderId: hold.orderId,
        purpose: hold.purpose,
        outcome,
        amountMinor: String(hold.amount),
        capturedMinor: String(close.capture?.amount ?? 0n),
        currency: hold.currency,
        closedAt: close.at.toISOString(),
      }),
    });
  }

  /** A dispute's opening movement completed: `fromCustomer` of its amount came from the customer. */
  async chargebackOpened(dispute: DisputeDoc, fromCustomer: bigint): Promise<void> {
    await this.outbox?.put({
      operationId: dispute._id,
      type: paymentChargebackOpened.type,
      payload: paymentChargebackOpened.encode({
        userId: dispute.userId,
        disputeId: dispute._id,
        paymentId: dispute.paymentId,
        amountMinor: String(dispute.amount),
        fromCustomerMinor: String(fromCustomer),
        currency: dispute.currency,
        openedAt: new Date().toISOString(),
      }),
    });
  }

  /** A dispute was decided (for `won`, after the movement returning the money completed). */
  async chargebackClosed(dispute: DisputeDoc, outcome: 'won' | 'lost'): Promise<void> {
    await this.outbox?.put({
      operationId: dispute._id,
      type: paymentChargebackClosed.type,
      payload: paymentChargebackClosed.encode({
        userId: dispute.userId,
        disputeId: dispute._id,
        paymentId: dispute.paymentId,
        outcome,
        amountMinor: String(dispute.amount),
        currency: dispute.currency,
        closedAt: new Date().toISOString(),
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
