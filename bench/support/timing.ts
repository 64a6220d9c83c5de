// Timing loops, percentiles and a fixed-width table shared by the benchmarks.
import { performance } from 'node:perf_hooks';

export interface Figures {
  operations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export function summarize(latenciesMs: number[], seconds: number): Figures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    operations: sorted.length,
    seconds,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
  };
}

/**
 * Runs `task` from `concurrency` workers until `count` calls are done, or — with `seconds` — until
 * that much time has passed. Each call gets its sequence number.
 */
export async function timed(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
  seconds = Number.POSITIVE_INFINITY,
): Promise<Figures> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count && performance.now() < deadline) {
        const i = issued++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarize(latencies, (performance.now() - started) / 1000);
}

/** One line of a table: a name, then right-aligned cells. */
export function formatRow(name: string, ...cells: string[]): string {
  return `  ${name.padEnd(50)}${cells.map((cell) => cell.padStart(12)).join('')}`;
}

/** A table of figures with ops/s, p50 and p99, and an optional note per row. */
export function printFigures(title: string, rows: [string, Figures, string?][]): void {
  console.log(`\n${title}`);
  console.log(formatRow('measurement', 'per second', 'p50 ms', 'p99 ms'));
  for (const [name, figures, note] of rows) {
    const cells = [figures.perSecond.toFixed(1), figures.p50Ms.toFixed(2), figures.p99Ms.toFixed(2)];
    console.log(`${formatRow(name, ...cells)}${note ? `  ${note}` : ''}`);
  }
}

/** Runs `operation` from `concurrency` workers for `seconds` (or until `maxOperations` are done). */
export function measure(
  operation: () => Promise<unknown>,
  options: { seconds: number; concurrency: number; maxOperations?: number },
): Promise<Figures> {
  return timed(
    options.maxOperations ?? Number.POSITIVE_INFINITY,
    options.concurrency,
    operation,
    options.seconds,
  );
}
