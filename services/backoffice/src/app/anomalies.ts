// The anomaly sweep (a scheduled job): each rule measures something and, when it fires, raises an
// open record per rule and subject (or refreshes the one still open). People acknowledge and resolve
// records; the number open per rule is a metric.
// Two rules read the back office's own reporting store (refund and decline rates per currency over
// the last 24 hours); the others ask the service that owns the fact, over gRPC: users (failed sign-ins
// per client address, from its audit log), payments (its reconciliation: a balance that differs from
// its journal), orders (checkout sagas not finished in time), notifications (webhook endpoints whose
// deliveries keep failing). A rule whose owner does not answer is skipped this round and named in
// the job's log; the other rules still run.
import { AppError, type ServiceMetrics } from '@shopstack/kit';
import { Gauge } from 'prom-client';
import {
  type AnomalyRow,
  anomalyStatus,
  countOpenAnomalies,
  listAnomalies,
  measureRate,
  moveAnomalyRow,
  type RaisedAnomaly,
  raiseAnomaly,
} from '../adapters/anomalies-repository.js';
import { ask, type Owners } from '../adapters/owners.js';
import { type RateRule, rateFires } from '../domain/anomalies.js';
import type { BackofficeDeps } from './deps.js';
import type { JobDefinition } from './jobs.js';

export type { AnomalyRow };

export const ANOMALY_JOB = 'anomalies';

export interface AnomalySettings {
  refundRate: RateRule;
  declineRate: RateRule;
  /** Failed sign-ins from one client address within the window that raise an anomaly. */
  signInFailures: { perIp: number; windowSeconds: number };
  /** A checkout saga unfinished this long after the order was placed is overdue. */
  sagaOverdueSeconds: number;
  /** A webhook endpoint failing (no success) for this long raises an anomaly. */
  webhookFailingSeconds: number;
}

/** One rule: what it found that fires (nothing: all is well). */
type Rule = (owners: Owners) => Promise<RaisedAnomaly[]>;

function rules(deps: Pick<BackofficeDeps, 'pool'>, settings: AnomalySettings): Record<string, Rule> {
  const rate =
    (name: 'refund-rate' | 'decline-rate', rule: RateRule): Rule =>
    async () =>
      (await measureRate(deps.pool, name)).flatMap((row) => {
        const { fires, rate: value } = rateFires(rule, row);
        return fires
          ? [
              {
                rule: name,
                subject: row.subject,
                value,
                threshold: rule.threshold,
                detail: `${row.failures} of ${row.attempts} in the last 24 hours`,
              },
            ]
          : [];
      });
  return {
    'refund-rate': rate('refund-rate', settings.refundRate),
    'decline-rate': rate('decline-rate', settings.declineRate),
    'sign-in-failures': async (owners) => {
      const { perIp, windowSeconds } = settings.signInFailures;
      const { ips } = await ask(
        'users',
        owners.client('users').listSignInFailuresByIp({ windowSeconds, minFailures: perIp }),
      );
      return ips.map((ip) => ({
        rule: 'sign-in-failures',
        subject: ip.ip,
        value: ip.failures,
        threshold: perIp,
        detail: `${ip.failures} failed sign-ins for ${ip.emails} email(s) in the last ${windowSeconds} s, the last at ${ip.lastFailedAt}`,
      }));
    },
    'ledger-difference': async (owners) => {
      const report = await ask('payments', owners.client('payments').getReconciliation({}));
      const found: RaisedAnomaly[] = report.currencies
        .filter((c) => BigInt(c.differenceMinor) !== 0n)
        .map((c) => ({
          rule: 'ledger-difference',
          subject: c.currency,
          value: Number(c.differenceMinor),
          threshold: 0,
          detail: `balances differ from the journal by ${c.differenceMinor} minor units in total (${report.accounts} accounts checked)`,
        }));
      if (report.problemCount > 0)
        found.push({
          rule: 'ledger-difference',
          subject: 'journal',
          value: report.problemCount,
          threshold: 0,
          detail: `${report.problemCount} journal problem(s): ${report.problems.slice(0, 3).join('; ')}`,
        });
      return found;
    },
    'sagas-overdue': async (owners) => {
      const olderThanSeconds = settings.sagaOverdueSeconds;
      const { total, sagas } = await ask(
        'orders',
        owners.client('orders').listOverdueSagas({ olderThanSeconds, limit: 5 }),
      );
      if (total === 0) return [];
      const oldest = sagas.map((s) => `${s.orderId} in ${s.step} since ${s.startedAt}`).join('; ');
      return [
        {
          rule: 'sagas-overdue',
          subject: 'checkout',
          value: total,
          threshold: 0,
          detail: `${total} checkout(s) unfinished after ${olderThanSeconds} s or past their step's deadline; oldest: ${oldest}`,
        },
      ];
    },
    'webhook-failing': async (owners) => {
      const { endpoints } = await ask(
        'notifications',
        owners
          .client('notifications')
          .listFailingWebhookEndpoints({ failingForSeconds: settings.webhookFailingSeconds }),
      );
      return endpoints.map((e) => ({
        rule: 'webhook-failing',
        subject: e.endpointId,
        value: e.failedAttempts,
        threshold: 0,
        detail: `${e.url} (${e.status}, owner ${e.ownerId}) failing since ${e.failingSince}: ${e.failedAttempts} failed attempt(s)${e.lastError ? `, last: ${e.lastError}` : ''}`,
      }));
    },
  };
}

export const ANOMALY_RULES = [
  'refund-rate',
  'decline-rate',
  'sign-in-failures',
  'ledger-difference',
  'sagas-overdue',
  'webhook-failing',
] as const;

export function anomalyJob(
  deps: Pick<BackofficeDeps, 'pool' | 'owners'>,
  settings: AnomalySettings,
): JobDefinition<object> {
  const all = rules(deps, settings);
  return {
    kind: ANOMALY_JOB,
    parse: () => ({}),
    async run(ctx) {
      const skipped: string[] = [];
      for (const [index, name] of ANOMALY_RULES.entries()) {
        const found = await all[name]!(deps.owners).catch((error: unknown) => {
          // The owner is down or not configured: this rule waits for the next sweep.
          if (error instanceof AppError && error.kind === 'unavailable') {
            skipped.push(name);
            ctx.logger.warn({ rule: name, err: error }, 'anomaly rule skipped: its owner did not answer');
            return [];
          }
          throw error;
        });
        for (const anomaly of found) await raiseAnomaly(deps.pool, anomaly);
        await ctx.progress(index + 1, ANOMALY_RULES.length);
      }
      ctx.logger.info({ skipped }, 'anomaly sweep finished');
    },
  };
}

export function anomaliesOf(deps: Pick<BackofficeDeps, 'pool'>, status?: string): Promise<AnomalyRow[]> {
  return listAnomalies(deps.pool, status);
}

/** open → acknowledged → resolved; each step once, by whom. */
export async function moveAnomaly(
  deps: Pick<BackofficeDeps, 'pool'>,
  id: string,
  to: 'acknowledged' | 'resolved',
  actor: string,
): Promise<AnomalyRow> {
  const from = to === 'acknowledged' ? ['open'] : ['open', 'acknowledged'];
  const moved = await moveAnomalyRow(deps.pool, id, to, from, actor);
  if (moved) return moved;
  const status = await anomalyStatus(deps.pool, id);
  if (!status) throw new AppError('not_found', 'anomaly-not-found', `no anomaly ${id}`);
  throw new AppError('conflict', 'anomaly-status', `the anomaly is ${status}; cannot become ${to}`);
}

/** Open (not resolved) anomalies per rule, read at scrape time from the table. */
export function registerAnomalyMetric(metrics: ServiceMetrics, deps: Pick<BackofficeDeps, 'pool'>): void {
  new Gauge({
    name: 'backoffice_anomalies_open',
    help: 'Anomalies raised and not resolved, by rule and status',
    labelNames: ['rule', 'status'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const row of await countOpenAnomalies(deps.pool))
        this.set({ rule: row.rule, status: row.status }, row.n);
    },
  });
}
