// The orders service's own metrics, read from its tables at scrape time so they are exact whatever
// the number of replicas: orders by status and reason, and unfinished sagas by step (a growing
// `hold_funds` or `void_hold` count means payments is in trouble).
import type { Pool, ServiceMetrics } from '@shopstack/kit';
import { Counter, Gauge } from 'prom-client';
import { countOrderViews } from '../adapters/order-views.js';
import { countOverdueSagas, countUnfinishedSagasByStep } from '../adapters/saga-store.js';

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
      const counts = await countOrderViews(pool);
      this.reset();
      for (const { status, reason, count } of counts) this.set({ status, reason }, count);
    },
  });
  new Gauge({
    name: 'orders_sagas_unfinished',
    help: 'Checkout sagas not finished yet, by step',
    labelNames: ['step'],
    registers,
    async collect() {
      const counts = await countUnfinishedSagasByStep(pool);
      this.reset();
      for (const { step, count } of counts) this.set({ step }, count);
    },
  });
  new Gauge({
    name: 'orders_sagas_overdue',
    help: 'Unfinished sagas whose next attempt is more than a minute late (the engine is stuck or down)',
    registers,
    async collect() {
      this.set(await countOverdueSagas(pool));
    },
  });
  return { stepsRun };
}
