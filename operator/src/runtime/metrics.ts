// The operator's own metrics, served on /metrics next to the health endpoints.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shopstack_operator_' });
  return {
    registry,
    reconciles: new Counter({
      name: 'shopstack_operator_reconcile_total',
      help: 'Reconciles of ShopDeployments, by result (success, error, requeue).',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'shopstack_operator_reconcile_errors_total',
      help: 'Reconciles that failed and were requeued with backoff.',
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'shopstack_operator_reconcile_duration_seconds',
      help: 'Time spent in one reconcile.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'shopstack_operator_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      registers: [registry],
    }),
    apiWrites: new Counter({
      name: 'shopstack_operator_api_writes_total',
      help: 'Mutating requests sent to the API server, by verb and purpose (reconcile, status, event, lease).',
      labelNames: ['verb', 'purpose'],
      registers: [registry],
    }),
    watchRestarts: new Counter({
      name: 'shopstack_operator_watch_restarts_total',
      help: 'Watches that ended or failed, and relists, by resource and reason.',
      labelNames: ['resource', 'reason'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'shopstack_operator_leader',
      help: '1 while this replica holds the leader Lease.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
