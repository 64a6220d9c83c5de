// Payments throughput: P2P transfers per second through the application (journal appends with the
// (account, seq) guard, idempotency documents, fees), next to a baseline measured in the same run on
// the same server: plain inserts of journal-sized documents with the same concurrency.
//
//   node --import tsx --conditions shopstack-source bench/payments/transfers.ts
//   BENCH_TRANSFERS=2000 BENCH_CONCURRENCY=16 BENCH_USERS=50 BENCH_FEES=0 ... (all optional)
//
// Needs MONGO_URL (read from .infra/env when unset). Uses its own database and drops it afterwards.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connectPaymentsDb } from '../../services/payments/src/adapters/mongo.js';
import { SandboxProvider } from '../../services/payments/src/adapters/providers/sandbox.js';
import { createPaymentsApp } from '../../services/payments/src/app/payments.js';
import { FREE_SCHEDULE, parseFeeSchedule } from '../../services/payments/src/domain/fees.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TRANSFERS = env('BENCH_TRANSFERS', 1_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const USERS = env('BENCH_USERS', 50);
const WITH_FEES = env('BENCH_FEES', 1) === 1;

function mongoUrl(): string {
  if (process.env.MONGO_URL) return process.env.MONGO_URL;
  const file = new URL('../../.infra/env', import.meta.url);
  const line = existsSync(file) ? readFileSync(file, 'utf8').match(/^MONGO_URL=(.*)$/m) : null;
  if (!line?.[1]) throw new Error('MONGO_URL is not set: run `npm run infra -- up ferretdb`');
  return line[1];
}

async function timed(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  return { perSecond: count / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const db = await connectPaymentsDb(mongoUrl(), `bench_payments_${randomUUID().slice(0, 8)}`);
try {
  const provider = new SandboxProvider({
    db: db.db,
    secret: 'bench-secret-0123456789',
    webhookUrl: () => '',
  });
  const fees = WITH_FEES ? parseFeeSchedule('{"transfer":{"fixed":1,"basisPoints":50}}') : FREE_SCHEDULE;
  const app = createPaymentsApp({ db, provider, fees, holdTtlSeconds: 900 });
  const users = Array.from({ length: USERS }, (_, i) => `bench-user-${i}`);
  for (const user of users) {
    const payment = await app.providerPayments.topUp({
      userId: user,
      idempotencyKey: 'funding',
      currency: 'EUR',
      amount: 1_000_000_000n,
      token: 'tok_ok',
    });
    await app.providerPayments.onProviderEvent({ paymentId: payment._id, outcome: 'succeeded' });
  }

  // Baseline: what the server does with the simplest write of the same size.
  const raw = db.db.collection('baseline');
  const baseline = await timed(TRANSFERS, CONCURRENCY, async (i) => {
    await raw.insertOne({
      _id: `baseline-${i}` as never,
      accountId: users[i % USERS],
      seq: i,
      balanceDelta: 1n,
      heldDelta: 0n,
      balance: 1n,
      held: 0n,
      at: new Date(),
    });
  });

  const transfers = await timed(TRANSFERS, CONCURRENCY, async (i) => {
    const from = users[i % USERS]!;
    const to = users[(i * 7 + 1) % USERS]!;
    const result = await app.transfers.transfer({
      userId: from,
      idempotencyKey: `bench-${i}`,
      currency: 'EUR',
      toUserId: to === from ? users[(i + 1) % USERS]! : to,
      amount: 100n,
    });
    if (result.status !== 'completed') throw new Error(`transfer ${i} ${result.status}`);
  });

  const report = await app.reconciliation.run();
  const ratio = transfers.perSecond / baseline.perSecond;
  console.log(
    `payments transfers on ${mongoUrl()} (${TRANSFERS} ops, concurrency ${CONCURRENCY}, ${USERS} accounts, fees ${WITH_FEES ? 'on' : 'off'})`,
  );
  console.log(
    `  baseline raw inserts   ${baseline.perSecond.toFixed(0).padStart(7)} ops/s   p50 ${baseline.p50} ms  p95 ${baseline.p95} ms  p99 ${baseline.p99} ms`,
  );
  console.log(
    `  transfers              ${transfers.perSecond.toFixed(0).padStart(7)} ops/s   p50 ${transfers.p50} ms  p95 ${transfers.p95} ms  p99 ${transfers.p99} ms`,
  );
  console.log(`  transfers / baseline   ${ratio.toFixed(3)}`);
  console.log(`  reconciliation after the run: ${report.problems.length} problems`);
  console.log(
    JSON.stringify({
      bench: 'payments-transfers',
      transfers,
      baseline,
      ratio,
      ops: TRANSFERS,
      concurrency: CONCURRENCY,
    }),
  );
} finally {
  await db.db.dropDatabase();
  await db.client.close();
}
