// Drives a movement (its legs, in order) to completion. Safe to run any number of times, concurrently,
// from a request handler and from the recovery job: each leg is a journal append under the key
// "mv:<id>:<leg>", so a leg already done is found instead of repeated.
import type { MovementDoc } from '../adapters/documents.js';
import type { Journal } from '../adapters/journal.js';
import type { MovementStore } from '../adapters/operation-stores.js';
import type { PaymentEvents } from './events.js';

export class MovementRunner {
  constructor(
    private readonly movements: MovementStore,
    private readonly journal: Journal,
    private readonly events: Pick<PaymentEvents, 'movementCompleted'>,
  ) {}

  async drive(movement: MovementDoc): Promise<MovementDoc> {
    if (movement.status !== 'pending') return movement;
    const first = await this.appendLeg(movement, 0);
    if (first.outcome === 'declined') {
      const failureReason = first.reason ?? 'DECLINED';
      await this.movements.advance(movement._id, ['pending'], { status: 'declined', failureReason });
      return { ...movement, status: 'declined', failureReason };
    }
    // Only the first leg can be declined (domain/movement.ts); the others cannot fail, so they go at once.
    await Promise.all(movement.legs.slice(1).map((_, i) => this.appendLeg(movement, i + 1)));
    // Before the status: a crash here leaves the movement pending, and recovery stores the event again.
    await this.events.movementCompleted(movement);
    await this.movements.advance(movement._id, ['pending'], { status: 'completed' });
    return { ...movement, status: 'completed' };
  }

  private async appendLeg(movement: MovementDoc, index: number) {
    const leg = movement.legs[index]!;
    const { entry } = await this.journal.append({
      opKey: `mv:${movement._id}:${index}`,
      accountId: leg.accountId,
      kind: leg.amount < 0n ? 'debit' : 'credit',
      effect: { balanceDelta: leg.amount, heldDelta: 0n },
      ref: movement._id,
    });
    return entry;
  }

  /** Finishes movements a crash left pending (older than `before`, so live requests are left alone). */
  async recover(before: Date, limit = 200): Promise<number> {
    const stuck = await this.movements.stuck(['pending'], before, limit);
    for (const movement of stuck) await this.drive(movement);
    return stuck.length;
  }
}
