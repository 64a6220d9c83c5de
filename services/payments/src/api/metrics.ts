// The payments service's own metrics, on the kit's registry (served at /metrics).
import type { ServiceMetrics } from '@shopstack/kit';
import { Counter, Gauge } from 'prom-client';
import type { ReconciliationReport } from '../app/reconciliation.js';

export function paymentsMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  const difference = new Gauge({
    name: 'payments_reconciliation_difference_minor',
    help: 'Sum over accounts of |balance recomputed from the journal - recorded balance|; must be 0',
    labelNames: ['currency'],
    registers,
  });
  const imbalance = new Gauge({
    name: 'payments_reconciliation_imbalance_minor',
    help: 'Sum of all balances per currency; 0 unless movements are in flight',
    labelNames: ['currency'],
    registers,
  });
  const problems = new Gauge({
    name: 'payments_reconciliation_problems',
    help: 'Journal problems found by the last reconciliation run',
    registers,
  });
  const runs = new Counter({
    name: 'payments_reconciliation_runs_total',
    help: 'Reconciliation runs',
    registers,
  });
  const recovered = new Counter({
    name: 'payments_recovery_operations_total',
    help: 'Operations the recovery job examined and drove forward',
    registers,
  });
  return {
    recovered,
    recordReconciliation(report: ReconciliationReport) {
      runs.inc();
      problems.set(report.problems.length);
      for (const [currency, amount] of report.differenceByCurrency)
        difference.set({ currency }, Number(amount));
      for (const [currency, amount] of report.imbalanceByCurrency)
        imbalance.set({ currency }, Number(amount));
    },
  };
}
