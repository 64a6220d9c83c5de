// Top-ups and withdrawals through a payment provider. The provider answers later, by webhook:
// - top-up: charge the card; on success a movement credits the customer (less the top-up fee) from
//   the clearing account, which mirrors money held outside the platform;
// - withdrawal: first a hold on amount + fee (so the money cannot be spent twice while the payout runs),
//   then the payout; on success the hold is captured into clearing and fees, on decline it is voided.
// The movement and the hold carry all money; this document tracks the conversation with the provider.
// A shop without a provider refuses both; with one, each is capped per user and day (domain/limits.ts).
import type { Accounts } from '../adapters/accounts.js';
import type { MovementDoc, ProviderPaymentDoc } from '../adapters/documents.js';
import type { LimitLog } from '../adapters/limit-log.js';
import type { MovementStore } from '../adapters/operation-stores.js';
import type { OperationStore } from '../adapters/operations.js';
import type { PaymentProvider, ProviderEvent } from '../adapters/providers/provider.js';
import { type FeeSchedule, feeFor } from '../domain/fees.js';
import { fingerprint, operationId } from '../domain/ids.js';
import {
  DailyLimitExceeded,
  type DailyLimits,
  type LimitedKind,
  limitStream,
  utcDay,
} from '../domain/limits.js';
import { topUpLegs } from '../domain/movement.js';
import type { DisputeEvent, Disputes } from './disputes.js';
import { idempotencyConflict, noProvider, notFound, unprocessable } from './errors.js';
import type { PaymentEvents } from './events.js';
import type { Holds } from './holds.js';
import type { MovementRunner } from './movements.js';

export interface ProviderPaymentCommand {
  userId: string;
  idempotencyKey: string;
  currency: string;
  amount: bigint;
  /** A card token: the source of a top-up, the destination of a withdrawal. */
  token: string;
}

const WITHDRAWAL_HOLD_SECONDS = 30 * 24 * 3600;

export class ProviderPayments {
  constructor(
    private readonly payments: OperationStore<ProviderPaymentDoc>,
    private readonly movements: MovementStore,
    private readonly limitLog: LimitLog,
    private readonly accounts: Accounts,
    private readonly runner: MovementRunner,
    private readonly holds: Holds,
    /** undefined: this shop has no provider, so no money enters or leaves. */
    private readonly configuredProvider: PaymentProvider | undefined,
    private readonly fees: FeeSchedule,
    private readonly limits: DailyLimits,
    private readonly disputes: Disputes,
    private readonly events: PaymentEvents,
  ) {}

  async topUp(command: ProviderPaymentCommand): Promise<ProviderPaymentDoc> {
    this.provider(); // refuses at once when there is none
    const fee = feeFor(this.fees.topup, command.amount);
    if (fee >= command.amount) throw unprocessable('amount-below-fee', 'amount', `the top-up fee is ${fee}`);
    const account = await this.accounts.open(command.userId, command.currency);
    const payment = await this.create(command, 'topup', account._id, fee);
    return this.submit(payment);
  }

  async withdraw(command: ProviderPaymentCommand): Promise<ProviderPaymentDoc> {
    this.provider();
    const account = await this.accounts.findCustomer(command.userId, command.currency);
    if (!account) throw unprocessable('no-account', 'currency', `you have no ${command.currency} account`);
    const fee = feeFor(this.fees.withdrawal, command.amount);
    const payment = await this.create(command, 'withdrawal', account._id, fee);
    return this.submit(payment);
  }

  private provider(): PaymentProvider {
    if (!this.configuredProvider) throw noProvider();
    return this.configuredProvider;
  }

  async get(userId: string, paymentId: string): Promise<ProviderPaymentDoc> {
    const payment = await this.payments.get(paymentId);
    if (!payment || payment.userId !== userId) throw notFound('payment');
    return payment;
  }

  /** A verified provider event. Idempotent: the provider may deliver the same event several times. */
  async onProviderEvent(event: ProviderEvent): Promise<void> {
    const payment = await this.payments.get(event.paymentId);
    if (!payment) return; // not ours (or a test event); acknowledged so the provider stops retrying
    if (event.outcome.startsWith('dispute_')) {
      // Only a top-up the provider charged can be charged back, and only after its success arrived.
      if (payment.kind !== 'topup') return;
      if (payment.status !== 'completed') throw new Error(`dispute of ${payment._id} before its success`);
      const amount = BigInt(event.amount ?? '0');
      if (amount <= 0n || amount > payment.amount || !event.disputeId) return; // malformed: ignored
      await this.disputes.onEvent(payment, {
        disputeId: event.disputeId,
        outcome: event.outcome as DisputeEvent['outcome'],
        amount,
      });
      return;
    }
    if (event.outcome === 'succeeded') {
      // Even after we gave up waiting (timed_out): the provider moved the money, so must we.
      // The event goes before the status: a crash between the two leaves the payment unacknowledged to
      // the provider, whose redelivery finds the money moved and stores the same event again.
      if (payment.kind === 'topup') {
        const movement = await this.runner.drive(await this.topUpMovement(payment));
        if (movement.status === 'completed') await this.events.topUpCompleted(payment);
      } else {
        const { hold } = await this.holds.capture(payment.moneyRef, 0n);
        if (hold.status === 'captured') await this.events.withdrawalCompleted(payment);
      }
      await this.payments.advance(payment._id, ['created', 'submitted', 'timed_out'], {
        status: 'completed',
      });
    } else {
      if (payment.kind === 'withdrawal') await this.holds.void(payment.moneyRef);
      // The allowance goes back before the status says declined: a crash between the two leaves a
      // status the provider's redelivery still moves, and a reader who sees "declined" may retry at once.
      await this.limitLog.giveBack(payment._id);
      await this.payments.advance(payment._id, ['created', 'submitted', 'timed_out'], {
        status: 'declined',
        failureReason: event.reason ?? 'DECLINED',
      });
    }
  }

  /** Re-submits requests a crash interrupted and flags those the provider left unanswered too long. */
  async recover(before: Date, timedOutBefore: Date, limit = 200): Promise<number> {
    const unsent = await this.payments.stuck(['created'], before, limit);
    for (const payment of unsent) await this.submit(payment);
    const silent = await this.payments.stuck(['submitted'], timedOutBefore, limit);
    for (const payment of silent) {
      await this.payments.advance(payment._id, ['submitted'], {
        status: 'timed_out',
        failureReason: 'PROVIDER_TIMEOUT',
      });
    }
    return unsent.length + silent.length;
  }

  private async create(
    command: ProviderPaymentCommand,
    kind: ProviderPaymentDoc['kind'],
    accountId: string,
    fee: bigint,
  ): Promise<ProviderPaymentDoc> {
    const id = operationId(kind, command.userId, command.idempotencyKey);
    const now = new Date();
    // A retry of a payment already stored counts nothing more: the payment (kept for good) is the proof
    // it was counted, so the counter entries of past days may be purged (adapters/retention-rules.ts).
    // Racing first tries both count, under one key: the log takes it once.
    if (!(await this.payments.get(id))) await this.useAllowance(kind, command, id, now);
    const created = await this.payments.create({
      _id: id,
      kind,
      provider: this.provider().name,
      userId: command.userId,
      accountId,
      currency: command.currency,
      amount: command.amount,
      fee,
      source: command.token,
      status: 'created',
      moneyRef: kind === 'topup' ? `${id}_mv` : operationId('hold', command.userId, `withdrawal:${id}`),
      fingerprint: fingerprint({
        kind,
        currency: command.currency,
        amount: command.amount,
        token: command.token,
      }),
      createdAt: now,
      updatedAt: now,
    });
    if (created.kind === 'conflict') throw idempotencyConflict();
    return created.doc;
  }

  private async submit(payment: ProviderPaymentDoc): Promise<ProviderPaymentDoc> {
    if (payment.status !== 'created') return payment;
    const request = { paymentId: payment._id, amount: payment.amount, currency: payment.currency };
    if (payment.kind === 'topup') {
      await this.provider().charge({ ...request, source: payment.source });
    } else {
      const { hold } = await this.holds.authorize({
        idempotencyKey: `withdrawal:${payment._id}`,
        orderId: `withdrawal:${payment._id}`,
        userId: payment.userId,
        amount: payment.amount + payment.fee,
        currency: payment.currency,
        ttlSeconds: WITHDRAWAL_HOLD_SECONDS,
        purpose: 'withdrawal',
        settleTo: await this.withdrawalSettlement(payment),
      });
      if (hold.status === 'declined') {
        const failureReason = hold.failureReason ?? 'INSUFFICIENT_FUNDS';
        await this.limitLog.giveBack(payment._id);
        await this.payments.advance(payment._id, ['created'], { status: 'declined', failureReason });
        return { ...payment, status: 'declined', failureReason };
      }
      await this.provider().payout({ ...request, destination: payment.source });
    }
    await this.payments.advance(payment._id, ['created'], { status: 'submitted' });
    return { ...payment, status: 'submitted' };
  }

  /** Counts the request against today's limit once (a retry under the same key counts no more). */
  private async useAllowance(kind: LimitedKind, command: ProviderPaymentCommand, id: string, now: Date) {
    const stream = limitStream(command.userId, kind, command.currency, utcDay(now));
    try {
      await this.limitLog.use(stream, id, command.amount, this.limits[kind]);
    } catch (error) {
      if (!(error instanceof DailyLimitExceeded)) throw error;
      const what = kind === 'topup' ? 'top-ups' : 'withdrawals';
      throw unprocessable(
        'daily-limit-exceeded',
        'amount',
        `${what} may add up to ${error.limit} ${command.currency} minor units a day (UTC); ${error.remaining} remain today`,
      );
    }
  }

  private async withdrawalSettlement(payment: ProviderPaymentDoc) {
    const clearing = await this.accounts.system('clearing', payment.currency, payment._id);
    const legs = [{ accountId: clearing._id, amount: payment.amount }];
    if (payment.fee > 0n) {
      legs.push({
        accountId: (await this.accounts.system('fees', payment.currency, payment._id))._id,
        amount: payment.fee,
      });
    }
    return legs;
  }

  private async topUpMovement(payment: ProviderPaymentDoc): Promise<MovementDoc> {
    const clearing = await this.accounts.system('clearing', payment.currency, payment._id);
    const fees = await this.accounts.system('fees', payment.currency, payment._id);
    const split = topUpLegs(clearing._id, payment.accountId, fees._id, payment.amount, {
      fixed: payment.fee,
      basisPoints: 0n,
      min: 0n,
    });
    if (!split) throw new Error(`top-up ${payment._id}: fee exceeds amount`);
    const now = new Date();
    const created = await this.movements.create({
      _id: payment.moneyRef,
      kind: 'topup',
      ownerId: payment.userId,
      currency: payment.currency,
      amount: payment.amount,
      fee: payment.fee,
      legs: split.legs,
      status: 'pending',
      fingerprint: payment._id,
      createdAt: now,
      updatedAt: now,
    });
    if (created.kind === 'conflict') throw new Error(`top-up movement ${payment.moneyRef} clashes`);
    return created.doc;
  }
}
