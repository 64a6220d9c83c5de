// Several worker processes on one queue, as real child processes: a scheduled job runs once among
// them, and a worker killed (SIGKILL) in the middle of a report does not lose it: another worker
// takes the job over once the dead one stops beating and writes the same file an uninterrupted
// run writes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@shopstack/kit';
import { type SpawnedService, waitFor } from '@shopstack/kit/testing';
import { migrateJobQueue } from '../src/adapters/job-runner.js';
import { type Harness, startHarness } from './support/harness.js';

describe('backoffice: worker processes', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it('runs each tick of a schedule once, with two workers scheduling it', async () => {
    // Both workers start knowing that the every-minute retention run last happened 3 minutes ago, so
    // each back-fills the missed ticks at once (no waiting for the clock) and they race for them.
    await migrateJobQueue(h.db, createLogger({ service: 'test', level: 'silent' }));
    await h.db.query(
      `insert into graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
       values ('retention', now() - interval '1 hour', date_trunc('minute', now()) - interval '3 minutes')`,
    );
    const workers: SpawnedService[] = await Promise.all([
      h.spawn({ BACKOFFICE_ROLE: 'worker', RETENTION_CRON: '* * * * *' }),
      h.spawn({ BACKOFFICE_ROLE: 'worker', RETENTION_CRON: '* * * * *' }),
    ]);
    const done = await waitFor(
      async () => {
        const { rows } = await h.db.query(
          `select id, status, attempts from jobs where kind = 'retention' order by created_at`,
        );
        return rows.length >= 3 && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'the back-filled retention runs' },
    );
    const attempts = await h.db.query(
      `select job_id, count(*)::int as runs from job_attempts where job_id = any($1::uuid[]) group by job_id`,
      [done.map((r) => r.id)],
    );
    assert.equal(attempts.rows.length, done.length);
    for (const row of attempts.rows) assert.equal(row.runs, 1, `job ${row.job_id} ran ${row.runs} times`);
    // One scheduled job per tick in graphile-worker's own queue too.
    const ticks = await h.db.query(
      `select count(*)::int as n, count(distinct id)::int as distinct_ids from jobs where kind = 'retention'`,
    );
    assert.equal(ticks.rows[0].n, ticks.rows[0].distinct_ids);
    await Promise.all(workers.map((w) => w.stop()));
  });

  it('finishes a report whose worker was killed mid-way, with the same file as an uninterrupted run', async () => {
    // Forty days of orders, two per day; the report pauses between days so it is still running when
    // its worker is killed.
    const start = Date.parse('2026-09-01T00:00:00Z');
    for (let d = 0; d < 40; d++)
      for (const product of ['espresso', 'kettle']) {
        await h.publish('order.completed', {
          orderId: `order-${randomUUID()}`,
          userId: `user-${d % 7}`,
          lines: [{ productId: product, quantity: 1 + (d % 3), unitPriceMinor: '1250', currency: 'EUR' }],
          totalMinor: String(1250 * (1 + (d % 3))),
          currency: 'EUR',
          completedAt: new Date(start + d * 86_400_000 + 3_600_000).toISOString(),
          schemaVersion: 1,
        });
      }
    const settings = {
      BACKOFFICE_ROLE: 'all',
      REPORT_STEP_PAUSE_MS: '60',
      WORKER_HEARTBEAT_LEASE_MS: '2000',
    };
    const doomed = await h.spawn(settings);
    await waitFor(
      async () =>
        (await h.db.query('select count(*)::int as n from rpt_orders')).rows[0].n >= 80 || undefined,
      { timeoutMs: 30_000, what: 'the orders in the reporting store' },
    );
    const admin = await h.token('admin');
    const request = (url: string) =>
      fetch(`${url}/api/backoffice/reports`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${admin}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ kind: 'sales', from: '2026-09-01', to: '2026-10-10' }),
      }).then(async (r) => ((await r.json()) as { id: string }).id);
    const killedId = await request(doomed.httpUrl);
    await waitFor(
      async () => {
        const { rows } = await h.db.query(
          'select status, progress_done::int as done from jobs where id = $1',
          [killedId],
        );
        return rows[0]?.status === 'running' && rows[0].done >= 10 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'the report to be part-way' },
    );
    await doomed.kill();
    const partial = await h.db.query('select count(*)::int as n from report_files where job_id = $1', [
      killedId,
    ]);
    assert.equal(partial.rows[0].n, 0, 'nothing half-written');

    // The survivor need not be a process of its own: nothing kills it.
    const survivor = await h.start(settings);
    const status = (id: string) =>
      waitFor(
        async () => {
          const { rows } = await h.db.query('select status, attempts from jobs where id = $1', [id]);
          return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
        },
        { timeoutMs: 40_000, what: `report ${id} done` },
      );
    const resumed = await status(killedId);
    assert.ok(resumed.attempts >= 2, 'a second attempt ran it');
    const workersThatRanIt = await h.db.query(
      'select count(distinct worker_id)::int as n from job_attempts where job_id = $1',
      [killedId],
    );
    assert.equal(workersThatRanIt.rows[0].n, 2);

    const cleanId = await request(survivor.httpUrl);
    await status(cleanId);
    const files = await h.db.query(
      `select job_id, format, sha256, content from report_files where job_id = any($1::uuid[]) order by format`,
      [[killedId, cleanId]],
    );
    const csv = files.rows.filter((f) => f.format === 'csv');
    assert.equal(csv.length, 2);
    assert.equal(csv[0].sha256, csv[1].sha256, 'the same CSV bytes');
    assert.equal(csv[0].content.trim().split('\n').length, 1 + 40 * 2);
    const json = files.rows.filter((f) => f.format === 'json').map((f) => JSON.parse(f.content));
    assert.deepEqual(json[0].rows, json[1].rows);
    assert.deepEqual(json[0].totals, json[1].totals);
  });
});
