// Reports as long jobs: one day of the period at a time (progress = days done / days), the files
// written once at the end in one transaction. A crashed attempt leaves nothing half-written; the
// next attempt starts over and, counting only what had arrived by the request's time, writes the
// same bytes.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, type Pool, withTransaction } from '@shopstack/kit';
import { stringify } from 'csv-stringify/sync';
import {
  categoryNames,
  reportDay,
  reportFile,
  reportFiles,
  saveReportFiles,
} from '../adapters/reporting-store.js';
import {
  daysBetween,
  REPORT_COLUMNS,
  ReportParams,
  type ReportRow,
  salesByCategory,
  totalsOf,
  UNCATEGORISED,
  withCategoryNames,
} from '../domain/reports.js';
import type { JobDefinition } from './jobs.js';

export const REPORT_JOB = 'report';

export interface ReportSettings {
  retentionDays: number;
  /** Pause between two days of a report, so a long one leaves the database to live work. */
  stepPauseMs: number;
}

export function reportJob(pool: Pool, settings: ReportSettings): JobDefinition<ReportParams> {
  return {
    kind: REPORT_JOB,
    parse(params) {
      const parsed = ReportParams.safeParse(params);
      if (parsed.success) return parsed.data;
      throw new AppError('invalid', 'invalid-report', 'the report request is invalid', {
        fields: parsed.error.issues.map((issue) => ({
          field: issue.path.join('.') || 'body',
          message: issue.message,
        })),
      });
    },
    async run(ctx, params) {
      const days = daysBetween(params.from, params.to);
      let rows: ReportRow[] = [];
      await ctx.progress(0, days.length);
      for (const [index, day] of days.entries()) {
        rows.push(...(await reportDay(pool, params.kind, day, ctx.requestedAt)));
        await ctx.progress(index + 1, days.length);
        if (settings.stepPauseMs > 0) await sleep(settings.stepPauseMs);
      }
      // Names once for the whole period, as last known by the request's time: a category renamed
      // mid-period shows one name on every day, and a regenerated report shows the same one.
      if (params.kind === 'sales') {
        const ids = [...new Set(rows.map((row) => String(row.categoryId)))].filter(
          (id) => id !== UNCATEGORISED,
        );
        rows = withCategoryNames(rows, await categoryNames(pool, ids, ctx.requestedAt));
      }
      const files = renderReport(params, ctx.requestedAt, rows);
      await withTransaction(pool, (client) =>
        saveReportFiles(client, ctx.jobId, files, settings.retentionDays),
      );
      ctx.logger.info({ rows: rows.length, days: days.length }, 'report written');
    },
  };
}

export function renderReport(params: ReportParams, asOf: Date, rows: ReportRow[]) {
  const columns = REPORT_COLUMNS[params.kind];
  const json = `${JSON.stringify(
    {
      kind: params.kind,
      from: params.from,
      to: params.to,
      asOf: asOf.toISOString(),
      columns,
      rows,
      totals: totalsOf(params.kind, rows, params.to),
      ...(params.kind === 'sales' ? { totalsByCategory: salesByCategory(rows) } : {}),
    },
    null,
    2,
  )}\n`;
  const csv = stringify(rows, { header: true, columns: [...columns] });
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  return [
    { format: 'json' as const, content: json, sha256: sha(json) },
    { format: 'csv' as const, content: csv, sha256: sha(csv) },
  ];
}

export const listReportFiles = (pool: Pool, jobId: string) => reportFiles(pool, jobId);

export async function downloadReport(pool: Pool, jobId: string, format: 'csv' | 'json') {
  const file = await reportFile(pool, jobId, format);
  if (!file)
    throw new AppError(
      'not_found',
      'report-file-not-found',
      `report ${jobId} has no ${format} file (not ready, or expired)`,
    );
  return file;
}
