// The orders service's own metrics, read from its tables at scrape time so they are exact whatever
// the number of replicas: orders by status and reason, and unfinished sagas by step (a growing
// `hold_funds` or `void_hold` count means payments is in trouble).
import type { Pool, ServiceMetrics } from '@shopstack/kit';
import { Counter, Gauge } from 'prom-client';

export function registerOrdersMetrics(metrics: ServiceMetrics, pool: Pool) {
  const registers = [metrics.registry];
  // Per process (not from the tables): shows that every replica takes its share of the steps.
  const stepsRun = new Counter({
    name: 'orders_saga_steps_total',
    help: 'Saga steps this process ran, by step and outcome (retry: tried again later)',
    labelNames: ['step', 'outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'orders_orders',
    help: 'Orders by status and cancel reason (from the read model)',
    labelNames: ['status', 'reason'],
    registers,
    async collect() {
      const { rows } = await pool.query<{ status: string; reason: string | null; count: string }>(
        `select status, detail->>'cancelReason' as reason, count(*) from order_views group by 1, 2`,
      );
      this.reset();
      for (const row of rows) this.set({ status: row.status, reason: row.reason ?? '' }, Number(row.count));
    },
  });
  new Gauge({
    name: 'orders_sagas_unfinished',
    help: 'Checkout sagas not finished yet, by step',
    labelNames: ['step'],
    registers,
    async collect() {
      const { rows } = await pool.query<{ step: string; count: string }>(
        `select step, count(*) from checkout_sagas where step <> 'done' group by step`,
      );
      this.reset();
      for (const row of rows) this.set({ step: row.step }, Number(row.count));
    },
  });
  new Gauge({
    name: 'orders_sagas_overdue',
    help: 'Unfinished sagas whose next attempt is more than a minute late (the engine is stuck or down)',
    registers,
    async collect() {
      const { rows } = await pool.query<{ count: string }>(
        `select count(*) from checkout_sagas where step <> 'done' and next_attempt_at < now() - interval '1 minute'`,
      );
      this.set(Number(rows[0]?.count ?? 0));
    },
  });
  return { stepsRun };
}
