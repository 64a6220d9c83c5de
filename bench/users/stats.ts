// Small helpers for the benchmark: timing loops, percentiles, a fixed-width table.
import { performance } from 'node:perf_hooks';

export interface Throughput {
  operations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

/** Runs `operation` from `concurrency` workers until `seconds` pass or `maxOperations` are done. */
export async function measure(
  operation: () => Promise<unknown>,
  options: { seconds: number; concurrency: number; maxOperations?: number },
): Promise<Throughput> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const max = options.maxOperations ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  const worker = async () => {
    while (performance.now() < deadline && issued < max) {
      issued++;
      const t = performance.now();
      await operation();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    operations: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export function printTable(title: string, rows: [string, Throughput, string?][]): void {
  console.log(`\n${title}`);
  console.log(
    `  ${'what'.padEnd(52)} ${'ops/s'.padStart(10)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  note`,
  );
  for (const [name, t, note] of rows) {
    console.log(
      `  ${name.padEnd(52)} ${t.perSecond.toFixed(0).padStart(10)} ${t.p50Ms.toFixed(2).padStart(9)} ${t.p99Ms
        .toFixed(2)
        .padStart(9)}  ${note ?? ''}`,
    );
  }
}
