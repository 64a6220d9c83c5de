// Runs a saga declaration (checkout-saga.ts) knowing no step by name. A step is claimed with a lease
// (one short statement), its remote call is made with no transaction open, and its outcome is
// recorded in one short transaction — the order's events, the outbox messages and the saga's next
// step together — that commits only if this worker still holds the lease. When the next step is a
// call due at once, the same worker keeps the lease and goes on without another claim.
//
// Work wakes the engine, not a timer: a move that leaves work due notifies (LISTEN/NOTIFY reaches
// every replica), a reply hands its next step straight to this process's workers; polling remains
// as the safety net (deadlines, retries, leases of dead workers).
import { randomUUID } from 'node:crypto';
import {
  enqueueOutbox,
  extractTraceContext,
  inSpan,
  type Logger,
  type Pool,
  type PoolClient,
  SpanKind,
  withTransaction,
} from '@shopstack/kit';
import type { StockReply } from '@shopstack/proto/messages';
import type pg from 'pg';
import type { Counter } from 'prom-client';
import { loadOrder, saveOrder } from '../adapters/order-repository.js';
import {
  claimDueSagas,
  listenForDueSagas,
  lockSaga,
  moveSaga,
  msUntilNextDue,
  notifySagaDue,
  releaseLease,
  retrySagaLater,
  type SagaDueListener,
  type SagaRow,
  type SagaStep,
} from '../adapters/saga-store.js';
import type { NewOrderEvent } from '../domain/events.js';
import type { Order } from '../domain/order.js';
import type { CheckoutPorts, CheckoutSettings, CheckoutStep } from './checkout-saga.js';
import { isRetry, type Move, retryDelayMs, type SagaDefinition } from './saga-definition.js';

export type CheckoutDefinition = SagaDefinition<
  CheckoutStep,
  Order,
  NewOrderEvent,
  CheckoutPorts,
  StockReply,
  CheckoutSettings
>;

export interface SagaEngineOptions {
  pool: Pool;
  logger: Logger;
  definition: CheckoutDefinition;
  ports: CheckoutPorts;
  settings: CheckoutSettings;
  /** Steps run at once by this process (each mostly waits on a remote call). */
  workers: number;
  /** How long a claimed step is this worker's; longer than any call it makes. */
  leaseMs: number;
  /** The safety-net poll. */
  pollMs: number;
  /** Steps run, by step and outcome (`retry` for a retry). */
  stepsRun?: Counter<'step' | 'outcome'>;
}

/** Thrown inside a move's transaction when its guard fails: the step moved on without us. */
class StepLost extends Error {}

export class SagaEngine {
  /** This process's name on the leases it holds. */
  readonly owner = `${process.pid}:${randomUUID().slice(0, 8)}`;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private running = new Set<Promise<void>>();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private listener: SagaDueListener | undefined;

  constructor(private readonly options: SagaEngineOptions) {}

  get definition(): CheckoutDefinition {
    return this.options.definition;
  }

  start(): void {
    this.stopping = false;
    this.loop ??= this.run();
  }

  /** Finishes the steps in flight, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    await Promise.all(this.running);
    this.loop = undefined;
  }

  /** Look for due work now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Timing of a step entered now. */
  timing(step: SagaStep) {
    return step === 'done'
      ? { firstAttemptInMs: 0, deadlineInMs: null }
      : this.options.definition.steps[step].timing(this.options.settings);
  }

  /**
   * Applies `move` (decided in `from`) inside the caller's transaction: events, messages, next step.
   * With `owner` the move commits only if that worker still holds the step; with `keepLease` the
   * next step, if it is a call due at once, stays leased to this process and is returned to run.
   */
  async applyMove(
    client: PoolClient,
    saga: SagaRow,
    order: Order,
    move: Move<string, NewOrderEvent>,
    guard: { owner?: string; keepLease?: boolean } = {},
  ): Promise<SagaRow | undefined> {
    const from = saga.step;
    const to = this.targetOf(from, move.outcome);
    const next = await saveOrder(client, order.id, order, move.events ?? []);
    for (const message of move.messages ?? []) await enqueueOutbox(client, message);
    const timing = this.timing(to);
    const runsNow =
      to !== 'done' && this.options.definition.steps[to].kind === 'call' && timing.firstAttemptInMs === 0;
    const keep =
      runsNow && guard.keepLease ? { owner: this.owner, leaseMs: this.options.leaseMs } : undefined;
    const moved = await moveSaga(client, {
      from,
      to,
      timing,
      order: next,
      keepLease: keep,
      expectedOwner: guard.owner,
    });
    if (!moved) throw new StepLost(`saga ${order.id} left ${from}`);
    // Due now but not ours to run: every idle engine hears of it at commit.
    if (runsNow && !keep) await notifySagaDue(client, order.id);
    this.options.stepsRun?.inc({ step: from, outcome: move.outcome });
    if (move.detail)
      this.options.logger.info({ orderId: order.id, from, to, detail: move.detail }, 'saga moved');
    return keep
      ? { ...saga, step: to, attempts: 0, expired: false, leaseOwner: this.owner, leased: true, order: next }
      : undefined;
  }

  /** Runs a step this process holds the lease of (after a reply moved it here), outside the caller. */
  runLeased(saga: SagaRow): void {
    this.track(this.drive(saga));
  }

  /** A reply for an order, inside the inbox's transaction; returns the step to run after commit. */
  async onReply(client: PoolClient, reply: StockReply): Promise<SagaRow | undefined> {
    const saga = await lockSaga(client, reply.orderId);
    const order = saga && (await this.orderOf(client, saga));
    if (!saga || !order || saga.step === 'done') {
      if (!saga)
        this.options.logger.warn({ orderId: reply.orderId }, 'stock reply for an unknown order; ignored');
      return undefined;
    }
    const step = this.options.definition.steps[saga.step];
    // A reply that arrives after its step is over (timed out, cancelled) is a fact we already acted on.
    const move = step.kind === 'await' ? step.onReply(reply, order) : undefined;
    if (!move) return undefined;
    return this.applyMove(client, saga, order, move, { keepLease: true });
  }

  private targetOf(from: SagaStep, outcome: string): SagaStep {
    const restart = this.options.definition.onCancelWhenDone;
    const to =
      from === 'done'
        ? restart?.outcome === outcome
          ? restart.to
          : undefined
        : (this.options.definition.steps[from].outcomes as Record<string, SagaStep>)[outcome];
    if (!to) throw new Error(`step ${from} declares no outcome ${outcome}`);
    return to;
  }

  async orderOf(db: pg.ClientBase | Pool, saga: SagaRow): Promise<Order | undefined> {
    return saga.order ?? (await loadOrder(db, saga.orderId));
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        this.woken = false;
        if (!this.listener) await this.listen();
        let claimed: SagaRow[] = [];
        const free = this.options.workers - this.running.size;
        try {
          if (free > 0)
            claimed = await claimDueSagas(this.options.pool, this.owner, this.options.leaseMs, free);
          for (const saga of claimed) this.track(this.drive(saga));
        } catch (error) {
          this.options.logger.warn({ err: error }, 'claiming saga steps failed; will retry');
        }
        if (this.stopping) break;
        if (free > 0 && claimed.length === free) continue; // more may be due
        // Woken while the next due time was read: look again, the sleep would not hear it.
        const pollMs = await this.nextPollMs(free > 0);
        if (!this.woken) await this.sleep(pollMs);
      }
    } finally {
      await this.unlisten();
    }
  }

  private async nextPollMs(lookedForWork: boolean): Promise<number> {
    if (!lookedForWork) return this.options.pollMs; // a worker finishing wakes us
    const due = await msUntilNextDue(this.options.pool).catch(() => undefined);
    return Math.min(this.options.pollMs, due === undefined ? this.options.pollMs : due + 5);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      this.wake(); // a slot is free
    });
  }

  /** Runs the claimed step, and the steps after it for as long as they are calls due at once. */
  private async drive(claimed: SagaRow): Promise<void> {
    let saga: SagaRow | undefined = claimed;
    while (saga && !this.stopping) {
      const current: SagaRow = saga;
      saga = await inSpan(
        `saga ${current.step}`,
        SpanKind.INTERNAL,
        extractTraceContext(current.traceContext),
        () => this.runStep(current),
      ).catch(async (error) => {
        if (!(error instanceof StepLost))
          this.options.logger.warn({ err: error, orderId: current.orderId }, 'saga step failed; will retry');
        await releaseLease(this.options.pool, current.orderId, this.owner).catch(() => {});
        return undefined;
      });
    }
    if (saga) await releaseLease(this.options.pool, saga.orderId, this.owner).catch(() => {});
  }

  private async runStep(saga: SagaRow): Promise<SagaRow | undefined> {
    if (saga.step === 'done') return undefined;
    const step = this.options.definition.steps[saga.step];
    const order = await this.orderOf(this.options.pool, saga);
    if (!order) throw new Error(`saga ${saga.orderId} has no order stream`);

    let decision: Move<string, NewOrderEvent> | { retry: string; delayMs?: number } | undefined;
    if (saga.expired && step.onDeadline) decision = step.onDeadline(order);
    else if (step.kind === 'call') {
      // The remote call: no transaction is open, only our lease says the step is ours.
      decision = await step.invoke(this.options.ports, order).catch((error) => step.onError(error, order));
    } else decision = step.onOverdue?.(order);

    if (!decision) {
      await releaseLease(this.options.pool, saga.orderId, this.owner);
      return undefined;
    }
    if (isRetry(decision)) {
      const delay = decision.delayMs ?? retryDelayMs(saga.attempts + 1);
      this.options.stepsRun?.inc({ step: saga.step, outcome: 'retry' });
      await retrySagaLater(this.options.pool, saga, this.owner, delay, decision.retry);
      return undefined;
    }
    const move = decision;
    return withTransaction(this.options.pool, (client) =>
      this.applyMove(client, saga, order, move, { owner: this.owner, keepLease: true }),
    );
  }

  private async listen(): Promise<void> {
    // Declared first: the connection may fail while `listen` is still on its way.
    let listener: SagaDueListener | undefined;
    try {
      listener = await listenForDueSagas(
        this.options.pool,
        () => this.wake(),
        (error) => {
          this.options.logger.warn({ err: error }, 'saga notifications lost; listening again');
          if (this.listener === listener) this.listener = undefined;
        },
      );
      this.listener = listener;
    } catch (error) {
      // Without notifications the poll still finds the work, only later.
      this.options.logger.warn({ err: error }, 'saga notifications unavailable; polling only');
    }
  }

  private async unlisten(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
