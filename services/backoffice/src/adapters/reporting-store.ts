// Reads of the reporting store for one day of a report. Each counts only what had arrived by `asOf`
// (the request's time), so the same report generated twice gives the same rows.
import type { Queryable } from '@shopstack/kit';
import { type ReportKind, type ReportRow, UNCATEGORISED } from '../domain/reports.js';

const DAY = `$1::date::timestamptz`;
const NEXT_DAY = `($1::date + 1)::timestamptz`;

const QUERIES: Record<ReportKind, string> = {
  sales: `
    select currency, coalesce(category_id, '${UNCATEGORISED}') as "categoryId", product_id as "productId",
           count(distinct order_id)::int as orders,
           sum(quantity)::bigint::text as units, sum(quantity * unit_price_minor)::text as "revenueMinor"
      from rpt_order_lines
     where completed_at >= ${DAY} and completed_at < ${NEXT_DAY} and received_at <= $2
     group by currency, 2, product_id order by currency, 2, product_id`,
  // The day's movements per kind, and the holds outstanding at its end: placed before the day ended
  // and not closed before it (a close told before its placing counts only once both arrived).
  finance: `
    select currency, kind, count, "amountMinor" from (
      select currency, kind, count(*)::int as count, sum(amount_minor)::text as "amountMinor"
        from rpt_money
       where occurred_at >= ${DAY} and occurred_at < ${NEXT_DAY} and received_at <= $2
       group by currency, kind
      union all
      select placed.currency, 'holds_outstanding', count(*)::int, sum(placed.amount_minor)::text
        from rpt_money placed
       where placed.kind = 'hold_placed' and placed.occurred_at < ${NEXT_DAY} and placed.received_at <= $2
         and not exists (
           select 1 from rpt_money closed
            where closed.reference = placed.reference
              and closed.kind in ('hold_captured', 'hold_voided', 'hold_expired')
              and closed.occurred_at < ${NEXT_DAY} and closed.received_at <= $2)
       group by placed.currency
    ) day order by currency, kind`,
  customers: `
    select count(distinct o.user_id)::int as "activeCustomers",
           count(distinct o.user_id) filter (where not exists (
             select 1 from rpt_orders earlier
              where earlier.user_id = o.user_id and earlier.completed_at < ${DAY} and earlier.received_at <= $2
           ))::int as "newCustomers",
           count(*)::int as orders
      from rpt_orders o
     where o.completed_at >= ${DAY} and o.completed_at < ${NEXT_DAY} and o.received_at <= $2`,
  repairs: `
    select service, kind, count(*)::int as count,
           string_agg(subject_id, ' ' order by at, repair_id) as subjects
      from rpt_repairs
     where at >= ${DAY} and at < ${NEXT_DAY} and received_at <= $2
     group by service, kind order by service, kind`,
};

/**
 * The last known name of each of `categoryIds`: the one on its latest line (by completion) that has a
 * name and had arrived by `asOf`, so a regenerated report names categories as the first did. Ids
 * with no named line are left out.
 */
export async function categoryNames(
  db: Queryable,
  categoryIds: readonly string[],
  asOf: Date,
): Promise<Map<string, string>> {
  if (categoryIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; name: string }>(
    `select c.id, named.name
       from unnest($1::text[]) as c(id)
       cross join lateral (
         select l.category_name as name from rpt_order_lines l
          where l.category_id = c.id and l.category_name is not null and l.received_at <= $2
          order by l.completed_at desc, l.order_id desc, l.line_no desc
          limit 1) named`,
    [categoryIds, asOf],
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function reportDay(
  db: Queryable,
  kind: ReportKind,
  day: string,
  asOf: Date,
): Promise<ReportRow[]> {
  const { rows } = await db.query<ReportRow>(QUERIES[kind], [day, asOf]);
  return rows.map((row) => ({ day, ...row }));
}

export interface ReportFile {
  format: 'csv' | 'json';
  content: string;
  sha256: string;
  bytes: number;
  created_at: Date;
  expires_at: Date;
}

export async function saveReportFiles(
  db: Queryable,
  jobId: string,
  files: { format: 'csv' | 'json'; content: string; sha256: string }[],
  retentionDays: number,
): Promise<void> {
  for (const file of files) {
    await db.query(
      `insert into report_files (job_id, format, content, sha256, bytes, expires_at)
       values ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
       on conflict (job_id, format) do update
         set content = excluded.content, sha256 = excluded.sha256, bytes = excluded.bytes,
             created_at = now(), expires_at = excluded.expires_at`,
      [jobId, file.format, file.content, file.sha256, Buffer.byteLength(file.content), retentionDays],
    );
  }
}

export async function reportFiles(db: Queryable, jobId: string): Promise<Omit<ReportFile, 'content'>[]> {
  const { rows } = await db.query<Omit<ReportFile, 'content'>>(
    `select format, sha256, bytes, created_at, expires_at from report_files
      where job_id = $1 and expires_at > now() order by format`,
    [jobId],
  );
  return rows;
}

export async function reportFile(
  db: Queryable,
  jobId: string,
  format: 'csv' | 'json',
): Promise<ReportFile | undefined> {
  const { rows } = await db.query<ReportFile>(
    'select * from report_files where job_id = $1 and format = $2 and expires_at > now()',
    [jobId, format],
  );
  return rows[0];
}

/** Retention: report files past their time, in bounded batches. */
export async function deleteExpiredReportFiles(db: Queryable, batch: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from report_files where ctid in (
       select ctid from report_files where expires_at <= now() limit $1)`,
    [batch],
  );
  return rowCount ?? 0;
}
