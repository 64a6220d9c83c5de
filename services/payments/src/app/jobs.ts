// Background jobs (run as the kit's periodic workers): recovery (finish what a crash interrupted,
// expire holds, chase the provider) on start and every few seconds, and reconciliation every minute. Each run is idempotent, so several
// replicas may run them at once; they only repeat each other's no-op appends.
import type { PaymentsApp } from './payments.js';
import type { ReconciliationReport } from './reconciliation.js';

export interface JobOptions {
  /** Leave operations younger than this to the request that is handling them. */
  graceMs: number;
  /** A provider request with no answer after this long is flagged timed_out. */
  providerTimeoutMs: number;
}

export async function recoverOnce(app: PaymentsApp, options: JobOptions, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - options.graceMs);
  let touched = 0;
  touched += await app.movements.recover(before);
  touched += await app.holds.recover(before);
  touched += await app.refunds.recover(before);
  touched += await app.disputes.recover(before);
  touched += await app.adjustments.recover(before);
  touched += await app.holds.expireDue(now);
  touched += await app.providerPayments.recover(before, new Date(now.getTime() - options.providerTimeoutMs));
  return touched;
}

export function describeReport(report: ReconciliationReport) {
  const byCurrency = (map: Map<string, bigint>) =>
    Object.fromEntries([...map].map(([currency, amount]) => [currency, amount.toString()]));
  return {
    accounts: report.accounts,
    difference: byCurrency(report.differenceByCurrency),
    imbalance: byCurrency(report.imbalanceByCurrency),
    problems: report.problems.length,
  };
}
