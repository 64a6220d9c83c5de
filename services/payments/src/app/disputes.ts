// Chargebacks of top-ups (see domain/disputes.ts for how the money moves). Each provider event moves
// money at most once: the dispute document is created once per (payment, provider dispute id), every
// money step is a movement under a key derived from it, and a status only moves forward
// (opening → open → won | lost), so a replayed, duplicated or late event changes nothing.
import type { Accounts } from '../adapters/accounts.js';
import type { DisputeDoc, MovementDoc, ProviderPaymentDoc } from '../adapters/documents.js';
import type { Journal } from '../adapters/journal.js';
import type { DisputeStore, MovementStore } from '../adapters/operation-stores.js';
import {
  type DisputeAccounts,
  type DisputeSplit,
  disputeOpenedLegs,
  disputeWonLegs,
  nextDisputeStatus,
  splitDispute,
} from '../domain/disputes.js';
import { fingerprint, operationId } from '../domain/ids.js';
import { available } from '../domain/ledger.js';
import type { PaymentEvents } from './events.js';
import type { MovementRunner } from './movements.js';

export interface DisputeEvent {
  disputeId: string;
  outcome: 'dispute_opened' | 'dispute_won' | 'dispute_lost';
  amount: bigint;
}

/** The opening movement lost the race for the customer's funds this often in a row: try later. */
const MAX_ATTEMPTS_PER_CALL = 5;

export class Disputes {
  constructor(
    private readonly disputes: DisputeStore,
    private readonly movements: MovementStore,
    private readonly accounts: Accounts,
    private readonly journal: Journal,
    private readonly runner: MovementRunner,
    private readonly events: Pick<PaymentEvents, 'chargebackOpened' | 'chargebackClosed'>,
  ) {}

  /** A verified provider event about a completed top-up. Throws (so the provider retries) when early. */
  async onEvent(payment: ProviderPaymentDoc, event: DisputeEvent): Promise<DisputeDoc | undefined> {
    const id = operationId('dispute', payment._id, event.disputeId);
    if (event.outcome === 'dispute_opened') {
      const now = new Date();
      const created = await this.disputes.create({
        _id: id,
        disputeId: event.disputeId,
        paymentId: payment._id,
        userId: payment.userId,
        accountId: payment.accountId,
        currency: payment.currency,
        amount: event.amount,
        status: 'opening',
        attempt: 0,
        fingerprint: fingerprint({ amount: event.amount }),
        createdAt: now,
        updatedAt: now,
      });
      if (created.kind === 'conflict')
        throw new Error(`dispute ${event.disputeId} reopened with another amount`);
      return this.open(created.doc);
    }
    const found = await this.disputes.get(id);
    if (!found) throw new Error(`dispute ${event.disputeId} ${event.outcome} before it was opened`);
    const dispute = await this.open(found);
    const next = nextDisputeStatus(dispute.status, event.outcome === 'dispute_won' ? 'won' : 'lost');
    if (!next) return dispute; // already decided: a replay or a late duplicate
    if (next === 'won') {
      const split = await this.openedSplit(dispute);
      await this.runner.drive(
        await this.movement(
          dispute,
          `${dispute._id}_won`,
          disputeWonLegs(await this.accountsOf(dispute), split),
        ),
      );
    }
    // Before the status: a crash here leaves the dispute open, and the provider's retry stores it again.
    await this.events.chargebackClosed(dispute, next);
    await this.disputes.advance(dispute._id, ['open'], { status: next });
    return { ...dispute, status: next };
  }

  get(paymentId: string): Promise<DisputeDoc[]> {
    return this.disputes.forPayment(paymentId);
  }

  /** Finishes openings a crash interrupted. */
  async recover(before: Date, limit = 200): Promise<number> {
    const stuck = await this.disputes.stuck(['opening'], before, limit);
    for (const dispute of stuck) await this.open(dispute);
    return stuck.length;
  }

  /**
   * Takes the disputed amount back into clearing: from the customer's available funds as far as they
   * go, the rest from the chargeback account. The split is decided when the movement is created; if
   * the customer's debit is then declined (they spent the money meanwhile), a new try decides again.
   */
  private async open(dispute: DisputeDoc): Promise<DisputeDoc> {
    if (dispute.status !== 'opening') return dispute;
    let attempt = dispute.attempt;
    for (let i = 0; i < MAX_ATTEMPTS_PER_CALL; i++, attempt++) {
      const id = `${dispute._id}_open_${attempt}`;
      const existing = await this.movements.get(id);
      const movement =
        existing ??
        (await this.movement(
          dispute,
          id,
          disputeOpenedLegs(
            await this.accountsOf(dispute),
            splitDispute(dispute.amount, available(await this.journal.state(dispute.accountId))),
          ),
        ));
      const driven = await this.runner.drive(movement);
      if (driven.status === 'completed') {
        // Before the status: a crash here leaves it opening, and recovery stores the event again.
        await this.events.chargebackOpened(dispute, fromCustomerOf(dispute, driven));
        await this.disputes.advance(dispute._id, ['opening'], { status: 'open', attempt });
        return { ...dispute, status: 'open', attempt };
      }
      await this.disputes.setAttempt(dispute._id, attempt + 1);
    }
    throw new Error(`dispute ${dispute._id}: the customer's funds kept moving; will retry`);
  }

  /** Who paid when the dispute opened, read back from the completed opening movement. */
  private async openedSplit(dispute: DisputeDoc): Promise<DisputeSplit> {
    const opened = await this.movements.get(`${dispute._id}_open_${dispute.attempt}`);
    if (opened?.status !== 'completed') throw new Error(`dispute ${dispute._id}: opening not completed`);
    const fromCustomer = fromCustomerOf(dispute, opened);
    return { fromCustomer, fromPlatform: dispute.amount - fromCustomer };
  }

  private async accountsOf(dispute: DisputeDoc): Promise<DisputeAccounts> {
    return {
      customer: dispute.accountId,
      chargebacks: (await this.accounts.system('chargebacks', dispute.currency, dispute._id))._id,
      clearing: (await this.accounts.system('clearing', dispute.currency, dispute._id))._id,
    };
  }

  private async movement(dispute: DisputeDoc, id: string, legs: MovementDoc['legs']): Promise<MovementDoc> {
    const now = new Date();
    const created = await this.movements.create({
      _id: id,
      kind: 'chargeback',
      ownerId: dispute.userId,
      currency: dispute.currency,
      amount: dispute.amount,
      fee: 0n,
      legs,
      status: 'pending',
      fingerprint: id,
      createdAt: now,
      updatedAt: now,
    });
    if (created.kind === 'conflict') throw new Error(`chargeback movement ${id} clashes`);
    return created.doc;
  }
}

/** What the customer paid of a dispute's opening movement (its debit leg; none when they had nothing). */
function fromCustomerOf(dispute: DisputeDoc, opening: MovementDoc): bigint {
  return -(opening.legs.find((leg) => leg.accountId === dispute.accountId)?.amount ?? 0n);
}
