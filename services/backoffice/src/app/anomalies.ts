// The anomaly sweep (a scheduled job): each rule measures a window of the reporting store and, when
// it fires, raises an open record per rule and subject (or refreshes the one still open). People
// acknowledge and resolve records; the number open per rule is a metric.
// Rules here read the back office's own store: refund rate and decline rate per currency over the
// last 24 hours. Rules that need other services' state (failed sign-ins per IP, the ledger's
// reconciliation, overdue sagas, failing webhook endpoints) are not evaluated yet.
import { randomUUID } from 'node:crypto';
import { AppError, type Pool, type ServiceMetrics } from '@shopstack/kit';
import { Gauge } from 'prom-client';
import { type RateRule, rateFires } from '../domain/anomalies.js';
import type { JobDefinition } from './jobs.js';

export const ANOMALY_JOB = 'anomalies';

export interface AnomalySettings {
  refundRate: RateRule;
  declineRate: RateRule;
}

const MEASURES: Record<'refund-rate' | 'decline-rate', string> = {
  'refund-rate': `select currency as subject, count(*) filter (where kind = 'refund')::int as failures,
                         count(*) filter (where kind = 'capture')::int as attempts
                    from rpt_money where occurred_at > now() - interval '24 hours' group by currency`,
  'decline-rate': `select currency as subject,
                          count(*) filter (where kind = 'payment_failed' or (kind = 'order_cancelled'
                            and reason in ('insufficient_funds', 'payment_declined')))::int as failures,
                          count(*) filter (where kind in ('capture', 'payment_failed', 'order_cancelled'))::int as attempts
                     from rpt_money where occurred_at > now() - interval '24 hours' group by currency`,
};

export function anomalyJob(pool: Pool, settings: AnomalySettings): JobDefinition<object> {
  const rules = { 'refund-rate': settings.refundRate, 'decline-rate': settings.declineRate };
  return {
    kind: ANOMALY_JOB,
    parse: () => ({}),
    async run(ctx) {
      const names = Object.keys(MEASURES) as (keyof typeof MEASURES)[];
      for (const [index, name] of names.entries()) {
        const { rows } = await pool.query<{ subject: string; failures: number; attempts: number }>(
          MEASURES[name],
        );
        for (const row of rows) {
          const { fires, rate } = rateFires(rules[name], row);
          if (fires)
            await raise(pool, {
              rule: name,
              subject: row.subject,
              value: rate,
              threshold: rules[name].threshold,
              detail: `${row.failures} of ${row.attempts} in the last 24 hours`,
            });
        }
        await ctx.progress(index + 1, names.length);
      }
    },
  };
}

async function raise(
  pool: Pool,
  a: { rule: string; subject: string; value: number; threshold: number; detail: string },
): Promise<void> {
  await pool.query(
    `insert into anomalies (id, rule, subject, value, threshold, detail) values ($1, $2, $3, $4, $5, $6)
     on conflict (rule, subject) where status <> 'resolved'
     do update set value = excluded.value, detail = excluded.detail, last_seen_at = now()`,
    [randomUUID(), a.rule, a.subject, a.value, a.threshold, a.detail],
  );
}

export interface AnomalyRow {
  id: string;
  rule: string;
  subject: string;
  status: 'open' | 'acknowledged' | 'resolved';
  value: number;
  threshold: number;
  detail: string;
  first_seen_at: Date;
  last_seen_at: Date;
  acknowledged_by: string | null;
  resolved_by: string | null;
}

export async function listAnomalies(pool: Pool, status?: string): Promise<AnomalyRow[]> {
  const { rows } = await pool.query<AnomalyRow>(
    `select * from anomalies where ($1::text is null or status = $1) order by last_seen_at desc limit 200`,
    [status ?? null],
  );
  return rows;
}

/** open → acknowledged → resolved; each step once, by whom. */
export async function moveAnomaly(
  pool: Pool,
  id: string,
  to: 'acknowledged' | 'resolved',
  actor: string,
): Promise<AnomalyRow> {
  const from = to === 'acknowledged' ? ['open'] : ['open', 'acknowledged'];
  const { rows } = await pool.query<AnomalyRow>(
    `update anomalies set status = $2,
            acknowledged_by = case when $2 = 'acknowledged' then $3 else acknowledged_by end,
            acknowledged_at = case when $2 = 'acknowledged' then now() else acknowledged_at end,
            resolved_by = case when $2 = 'resolved' then $3 else resolved_by end,
            resolved_at = case when $2 = 'resolved' then now() else resolved_at end
      where id = $1 and status = any($4::text[]) returning *`,
    [id, to, actor, from],
  );
  if (rows[0]) return rows[0];
  const exists = await pool.query('select status from anomalies where id = $1', [id]);
  if (exists.rowCount === 0) throw new AppError('not_found', 'anomaly-not-found', `no anomaly ${id}`);
  throw new AppError(
    'conflict',
    'anomaly-status',
    `the anomaly is ${exists.rows[0].status}; cannot become ${to}`,
  );
}

/** Open (not resolved) anomalies per rule, read at scrape time from the table. */
export function registerAnomalyMetric(metrics: ServiceMetrics, pool: Pool): void {
  new Gauge({
    name: 'backoffice_anomalies_open',
    help: 'Anomalies raised and not resolved, by rule and status',
    labelNames: ['rule', 'status'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const { rows } = await pool.query<{ rule: string; status: string; n: number }>(
        `select rule, status, count(*)::int as n from anomalies where status <> 'resolved' group by rule, status`,
      );
      for (const row of rows) this.set({ rule: row.rule, status: row.status }, row.n);
    },
  });
}
