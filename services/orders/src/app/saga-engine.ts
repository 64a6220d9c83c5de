// Drives every unfinished checkout saga from its durable row: picks the next due saga (locked, so
// workers and replicas share the work), runs its step, commits, repeats. Several workers run at
// once, because a step mostly waits on payments. Nothing lives only in memory, so a
// restarted service resumes every saga where its last commit left it.
import { extractTraceContext, inSpan, SpanKind, withTransaction } from '@shopstack/kit';
import { lockNextDueSaga } from '../adapters/saga-store.js';
import type { OrdersDeps } from './deps.js';
import { runDueStep } from './saga-steps.js';

export class SagaEngine {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly sleepers = new Set<() => void>();
  private woken = false;

  constructor(
    private readonly deps: OrdersDeps,
    private readonly pollMs: number,
    private readonly workers = 4,
  ) {}

  start(): void {
    this.stopping = false;
    this.loop ??= this.run();
  }

  /** Finishes the step in flight, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** Look for due work now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    for (const wakeUp of this.sleepers) wakeUp();
  }

  /** Runs due sagas until none is due; returns how many steps ran. */
  async runOnce(): Promise<number> {
    let ran = 0;
    while (!this.stopping) {
      const found = await withTransaction(this.deps.pool, async (client) => {
        const saga = await lockNextDueSaga(client);
        // Each step continues the checkout's trace, so one checkout is one trace across retries,
        // restarts and replicas; commands it sends carry it on to the catalog.
        if (saga)
          await inSpan(`saga ${saga.step}`, SpanKind.INTERNAL, extractTraceContext(saga.traceContext), () =>
            runDueStep(client, this.deps, saga),
          );
        return saga !== undefined;
      });
      if (!found) break;
      ran++;
    }
    return ran;
  }

  private async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.workers }, () => this.work()));
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      try {
        await this.runOnce();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'saga step failed; will retry');
      }
      if (!this.woken) await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
