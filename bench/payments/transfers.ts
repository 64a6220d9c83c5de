// Payments throughput: P2P transfers per second through the application (journal appends with the
// (account, seq) guard, idempotency documents, fees), next to a baseline measured in the same run on
// the same server: plain inserts of journal-sized documents with the same concurrency. It also counts
// the MongoDB commands each operation sends (by command and collection, see commands.ts), the process's
// memory after each phase, and reconciles the ledger at the end. The raw inserts are measured before,
// between and after the two phases, and each phase is compared with the mean of the two runs around it:
// a run of raw inserts lasts a few seconds, so on a machine whose load changes one run alone says
// more about that moment than about the server (seen: 257 to 900 raw inserts/s in one hour), and the
// first one, on a cold collection, was always the slowest, so a run that is not counted comes first.
//
//   node --import tsx --conditions shopstack-source bench/payments/transfers.ts
//   BENCH_TRANSFERS=2000 BENCH_CONCURRENCY=16 BENCH_USERS=50 BENCH_FEES=0 ... (all optional)
//
// Needs MONGO_URL (from .infra/env when unset). Uses its own database and drops it afterwards.
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { randomUUID } from 'node:crypto';
import { requireEnv } from '@shopstack/kit/testing';
import { connectPaymentsDb } from '../../services/payments/src/adapters/mongo.js';
import { SandboxProvider } from '../../services/payments/src/adapters/providers/sandbox.js';
import { createPaymentsApp } from '../../services/payments/src/app/payments.js';
import { FREE_SCHEDULE, parseFeeSchedule } from '../../services/payments/src/domain/fees.js';
import { cpuBetween, cpuSnapshot } from '../support/cpu.js';
import { type Figures, timed } from '../support/timing.js';
import { CommandCounter, perOperation } from './commands.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TRANSFERS = env('BENCH_TRANSFERS', 1_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const USERS = env('BENCH_USERS', 50);
const WITH_FEES = env('BENCH_FEES', 1) === 1;

const db = await connectPaymentsDb(requireEnv('MONGO_URL'), `bench_payments_${randomUUID().slice(0, 8)}`, {
  monitorCommands: true,
});
const counter = new CommandCounter(db.client);
const megabytes = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
/**
 * Times a phase and counts its commands and the machine's CPU per timed call (steadier than a rate on
 * a shared machine: it does not depend on what else runs); memory is read when it ends.
 */
async function phase(task: (i: number) => Promise<unknown>) {
  const cpuBefore = await cpuSnapshot();
  const { result, commands } = await counter.during(() => timed(TRANSFERS, CONCURRENCY, task));
  const cpu = cpuBetween(cpuBefore, await cpuSnapshot());
  const { rss, heapUsed } = process.memoryUsage();
  const msPerCall = (seconds: number) => Number(((seconds * 1000) / result.operations).toFixed(2));
  return {
    figures: result,
    commands: perOperation(commands, result.operations),
    cpuMs: Object.fromEntries(
      cpu.byProgram.filter(([, s]) => msPerCall(s) >= 0.05).map(([program, s]) => [program, msPerCall(s)]),
    ),
    memory: { rssMb: megabytes(rss), heapUsedMb: megabytes(heapUsed) },
  };
}
try {
  const provider = new SandboxProvider({
    db: db.db,
    secret: 'bench-secret-0123456789',
    webhookUrl: () => '',
  });
  const fees = WITH_FEES ? parseFeeSchedule('{"transfer":{"fixed":1,"basisPoints":50}}') : FREE_SCHEDULE;
  // Funding moves far more than a customer's daily limit; the benchmark measures transfers, not limits.
  const dailyLimits = { topup: 10n ** 15n, withdrawal: 10n ** 15n };
  const app = createPaymentsApp({ db, provider, fees, holdTtlSeconds: 900, dailyLimits });
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
  const rawInserts = (round: number) =>
    phase(async (i) => {
      await raw.insertOne({
        _id: `baseline-${round}-${i}` as never,
        accountId: users[i % USERS],
        seq: i,
        balanceDelta: 1n,
        heldDelta: 0n,
        balance: 1n,
        held: 0n,
        at: new Date(),
      });
    });
  // The first inserts into a new collection are slow (FerretDB creates its table, the caches are cold):
  // measured alone they made the first baseline a half of the later ones. A run that is not counted first.
  await rawInserts(-1);
  const baselinePhase = await rawInserts(0);

  const transfersPhase = await phase(async (i) => {
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

  const betweenPhase = await rawInserts(1);

  // The checkout's hot path: a hold authorized, then captured (two operations each time).
  const holdPhase = await phase(async (i) => {
    const held = await app.holds.authorize({
      idempotencyKey: `bench-hold-${i}`,
      orderId: `bench-order-${i}`,
      userId: users[i % USERS]!,
      amount: 100n,
      currency: 'EUR',
    });
    if (held.failure) throw new Error(`hold ${i}: ${held.failure}`);
    const captured = await app.holds.capture(held.hold._id, undefined);
    if (captured.failure || captured.hold.status !== 'captured') throw new Error(`capture ${i}`);
  });
  const afterPhase = await rawInserts(2);
  const baseline = baselinePhase.figures;
  const transfers = transfersPhase.figures;
  // Each timed call is a hold and its capture: count both (its commands and latency are per pair).
  const holds: Figures = { ...holdPhase.figures, perSecond: holdPhase.figures.perSecond * 2 };
  const around = (a: Figures, b: Figures) => (a.perSecond + b.perSecond) / 2;
  const transfersBaseline = around(baseline, betweenPhase.figures);
  const holdsBaseline = around(betweenPhase.figures, afterPhase.figures);

  const report = await app.reconciliation.run();
  const ratio = transfers.perSecond / transfersBaseline;
  const holdsRatio = holds.perSecond / holdsBaseline;
  console.log(
    `payments transfers on ${requireEnv('MONGO_URL')} (${TRANSFERS} ops, concurrency ${CONCURRENCY}, ${USERS} accounts, fees ${WITH_FEES ? 'on' : 'off'})`,
  );
  for (const [name, f] of [
    ['baseline raw inserts', baseline],
    ['transfers', transfers],
    ['raw inserts again', betweenPhase.figures],
    ['holds + captures', holds],
    ['raw inserts again', afterPhase.figures],
  ] as const) {
    console.log(
      `  ${name.padEnd(22)} ${f.perSecond.toFixed(0).padStart(7)} ops/s   p50 ${f.p50Ms.toFixed(1)} ms  p95 ${f.p95Ms.toFixed(1)} ms  p99 ${f.p99Ms.toFixed(1)} ms`,
    );
  }
  for (const [name, p, unit] of [
    ['baseline raw inserts', baselinePhase, 'insert'],
    ['transfers', transfersPhase, 'transfer'],
    ['holds + captures', holdPhase, 'hold + capture pair'],
  ] as const) {
    const top = Object.entries(p.commands.byCommand)
      .map(([key, n]) => `${key} ${n}`)
      .join(', ');
    console.log(`  ${name.padEnd(22)} ${p.commands.total} commands per ${unit}: ${top}`);
    const cpu = Object.entries(p.cpuMs);
    const cpuTotal = cpu.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `  ${''.padEnd(22)} CPU ms per ${unit}: ${cpuTotal.toFixed(2)} (${cpu.map(([k, ms]) => `${k} ${ms}`).join(', ')})`,
    );
    console.log(
      `  ${''.padEnd(22)} memory after: rss ${p.memory.rssMb} MB, heap used ${p.memory.heapUsedMb} MB`,
    );
  }
  console.log(
    `  transfers / raw inserts around them   ${ratio.toFixed(3)}  (${transfersBaseline.toFixed(0)} inserts/s; first run alone ${(transfers.perSecond / baseline.perSecond).toFixed(3)})`,
  );
  console.log(
    `  holds + captures / raw inserts around them   ${holdsRatio.toFixed(3)}  (${holdsBaseline.toFixed(0)} inserts/s; first run alone ${(holds.perSecond / baseline.perSecond).toFixed(3)}; latency per hold and its capture)`,
  );
  console.log(`  reconciliation after the run: ${report.problems.length} problems`);
  console.log(
    JSON.stringify({
      bench: 'payments-transfers',
      transfers,
      holds,
      baseline,
      baselineAgain: [betweenPhase.figures, afterPhase.figures],
      ratio,
      holdsRatio,
      firstBaselineRatios: {
        transfers: transfers.perSecond / baseline.perSecond,
        holds: holds.perSecond / baseline.perSecond,
      },
      commandsPerOperation: {
        baseline: baselinePhase.commands,
        transfer: transfersPhase.commands,
        holdCapturePair: holdPhase.commands,
      },
      cpuMsPerOperation: {
        baseline: baselinePhase.cpuMs,
        transfer: transfersPhase.cpuMs,
        holdCapturePair: holdPhase.cpuMs,
      },
      memory: { baseline: baselinePhase.memory, transfers: transfersPhase.memory, holds: holdPhase.memory },
      reconciliationProblems: report.problems.length,
      ops: TRANSFERS,
      concurrency: CONCURRENCY,
    }),
  );
} finally {
  await db.db.dropDatabase();
  await db.client.close();
}
