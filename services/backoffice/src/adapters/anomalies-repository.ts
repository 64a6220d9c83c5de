// The anomalies table and the reporting store's measures the rate rules read.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '@shopstack/kit';

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

export interface RaisedAnomaly {
  rule: string;
  subject: string;
  value: number;
  threshold: number;
  detail: string;
}

/** Raises an open record, or refreshes the one of this rule and subject not resolved yet. */
export async function raiseAnomaly(db: Queryable, a: RaisedAnomaly): Promise<void> {
  await db.query(
    `insert into anomalies (id, rule, subject, value, threshold, detail) values ($1, $2, $3, $4, $5, $6)
     on conflict (rule, subject) where status <> 'resolved'
     do update set value = excluded.value, detail = excluded.detail, last_seen_at = now()`,
    [randomUUID(), a.rule, a.subject, a.value, a.threshold, a.detail],
  );
}

export async function listAnomalies(db: Queryable, status?: string): Promise<AnomalyRow[]> {
  const { rows } = await db.query<AnomalyRow>(
    `select * from anomalies where ($1::text is null or status = $1) order by last_seen_at desc limit 200`,
    [status ?? null],
  );
  return rows;
}

/** Moves a record on when it is in one of `from`; undefined when it is not (or does not exist). */
export async function moveAnomalyRow(
  db: Queryable,
  id: string,
  to: 'acknowledged' | 'resolved',
  from: readonly string[],
  actor: string,
): Promise<AnomalyRow | undefined> {
  const { rows } = await db.query<AnomalyRow>(
    `update anomalies set status = $2,
            acknowledged_by = case when $2 = 'acknowledged' then $3 else acknowledged_by end,
            acknowledged_at = case when $2 = 'acknowledged' then now() else acknowledged_at end,
            resolved_by = case when $2 = 'resolved' then $3 else resolved_by end,
            resolved_at = case when $2 = 'resolved' then now() else resolved_at end
      where id = $1 and status = any($4::text[]) returning *`,
    [id, to, actor, from],
  );
  return rows[0];
}

export async function anomalyStatus(db: Queryable, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>('select status from anomalies where id = $1', [id]);
  return rows[0]?.status;
}

export async function countOpenAnomalies(db: Queryable) {
  const { rows } = await db.query<{ rule: string; status: string; n: number }>(
    `select rule, status, count(*)::int as n from anomalies where status <> 'resolved' group by rule, status`,
  );
  return rows;
}

export type RateMeasureName = 'refund-rate' | 'decline-rate';

const RATE_MEASURES: Record<RateMeasureName, string> = {
  'refund-rate': `select currency as subject, count(*) filter (where kind = 'refund')::int as failures,
                         count(*) filter (where kind = 'capture')::int as attempts
                    from rpt_money where occurred_at > now() - interval '24 hours' group by currency`,
  'decline-rate': `select currency as subject,
                          count(*) filter (where kind = 'payment_failed' or (kind = 'order_cancelled'
                            and reason in ('insufficient_funds', 'payment_declined')))::int as failures,
                          count(*) filter (where kind in ('capture', 'payment_failed', 'order_cancelled'))::int as attempts
                     from rpt_money where occurred_at > now() - interval '24 hours' group by currency`,
};

/** A rate over the last 24 hours of the reporting store, per currency. */
export async function measureRate(db: Queryable, name: RateMeasureName) {
  const { rows } = await db.query<{ subject: string; failures: number; attempts: number }>(
    RATE_MEASURES[name],
  );
  return rows;
}
