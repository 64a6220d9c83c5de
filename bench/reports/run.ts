// Reports benchmark: a month of synthetic orders (100,000 by default, 1–3 lines each, 50 products,
// two currencies) in the back office's reporting store, then the sales report generated the way the
// worker generates it (a day at a time, files rendered and stored), against the same run's baseline:
// the one plain SQL aggregate over the month on the same tables. Prints time and memory of each.
// The rows are written with SQL in bulk, as the inbox consumer would have written them from
// order.completed events; the ingestion itself is not what this measures.
//
//   npm run infra -- up postgres
//   node --import tsx --conditions shopstack-source bench/reports/run.ts [orders, default 100000]
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createLogger, createPgPool, runMigrations } from '@shopstack/kit';
import { createTestDatabase } from '@shopstack/kit/testing';
import { migrateJobQueue } from '../../services/backoffice/src/adapters/job-runner.js';
import { reportJob } from '../../services/backoffice/src/app/reports.js';

const ORDERS = Number(process.argv[2] ?? 100_000);
const logger = createLogger({ service: 'bench', level: 'silent' });
const database = await createTestDatabase('reports_bench');
await runMigrations({
  databaseUrl: database.url,
  service: 'backoffice',
  dir: new URL('../../services/backoffice/migrations', import.meta.url).pathname,
});
const pool = createPgPool(database.url, { max: 4 });
await migrateJobQueue(pool, logger);

try {
  const loadStarted = performance.now();
  await pool.query(
    `insert into rpt_orders (order_id, user_id, total_minor, currency, completed_at)
     select 'o' || i, 'u' || (i % 5000), 0, case when i % 4 = 0 then 'USD' else 'EUR' end,
            timestamptz '2026-11-01' + (i::double precision / $1) * interval '30 days'
       from generate_series(1, $1) as i`,
    [ORDERS],
  );
  await pool.query(
    `insert into rpt_order_lines (order_id, line_no, user_id, product_id, quantity, unit_price_minor, currency, completed_at)
     select o.order_id, n, o.user_id, 'p' || ((hashtext(o.order_id) + n) & 49), 1 + (n % 3), 500 + n * 250, o.currency, o.completed_at
       from rpt_orders o, generate_series(1, 1 + (abs(hashtext(o.order_id)) % 3)) as n`,
  );
  await pool.query('analyze rpt_orders; analyze rpt_order_lines');
  const lines = (await pool.query('select count(*)::int as n from rpt_order_lines')).rows[0].n;
  console.log(
    `loaded ${ORDERS} orders, ${lines} lines over 30 days in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
  );

  const measure = async (label: string, work: () => Promise<unknown>) => {
    global.gc?.();
    const before = process.memoryUsage();
    let peak = before.rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = performance.now();
    await work();
    const ms = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `${label.padEnd(42)} ${ms.toFixed(0).padStart(7)} ms   peak RSS +${mib(peak - before.rss)} MiB`,
    );
    return ms;
  };

  // Baseline: the month's sales in one aggregate, rows to the client, nothing rendered or stored.
  const baseline = await measure('baseline: one SQL aggregate over the month', () =>
    pool.query(
      `select date_trunc('day', completed_at) as day, currency, product_id, count(distinct order_id),
              sum(quantity), sum(quantity * unit_price_minor)
         from rpt_order_lines where completed_at >= '2026-11-01' and completed_at < '2026-12-01'
        group by 1, 2, 3 order by 1, 2, 3`,
    ),
  );

  const jobId = randomUUID();
  await pool.query(`insert into jobs (id, kind, params, status) values ($1, 'report', '{}', 'running')`, [
    jobId,
  ]);
  const job = reportJob(pool, { retentionDays: 1, stepPauseMs: 0 });
  const report = await measure('report job: 30 days, CSV + JSON stored', () =>
    job.run(
      { jobId, attempt: 1, requestedAt: new Date(), logger, progress: async () => {} },
      { kind: 'sales', from: '2026-11-01', to: '2026-11-30' },
    ),
  );
  const files = await pool.query('select format, bytes from report_files where job_id = $1 order by format', [
    jobId,
  ]);
  console.log(`files: ${files.rows.map((f) => `${f.format} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ')}`);
  console.log(`report / baseline: ${(report / baseline).toFixed(2)}×`);
} finally {
  await pool.end();
  await database.drop();
}
