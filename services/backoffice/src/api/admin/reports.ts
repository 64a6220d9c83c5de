// Reports: request one (a long job), watch its progress, download its CSV or JSON file.
import { createHash } from 'node:crypto';
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { BackofficeDeps } from '../../app/deps.js';
import type { JobView } from '../../app/jobs.js';
import { downloadReport, listReportFiles, REPORT_JOB } from '../../app/reports.js';
import { REPORT_KINDS } from '../../domain/reports.js';
import { BACKOFFICE_READERS, BACKOFFICE_WRITERS } from '../../domain/roles.js';
import { IdParams, JobSchema, PageQuery } from './schemas.js';

const ReportRequest = z.object({
  kind: z.enum(REPORT_KINDS),
  from: z.iso.date(),
  to: z.iso.date(),
});

const FileSchema = z.object({
  format: z.enum(['csv', 'json']),
  bytes: z.number().int(),
  sha256: z.string(),
  expiresAt: z.string(),
  url: z.string(),
});
const ReportSchema = JobSchema.extend({ files: z.array(FileSchema) });

/** One job per Idempotency-Key (and per requester): the key maps to the job's id. */
function jobIdFor(requester: string, key: string): string {
  const hex = createHash('sha256').update(`report\0${requester}\0${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function addReportRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  const withFiles = async (job: JobView) => {
    const files = job.status === 'succeeded' ? await listReportFiles(deps.pool, job.id) : [];
    return {
      ...job,
      files: files.map((file) => ({
        format: file.format,
        bytes: file.bytes,
        sha256: file.sha256,
        expiresAt: file.expires_at.toISOString(),
        url: `/api/backoffice/reports/${job.id}/download?format=${file.format}`,
      })),
    };
  };

  routes.post(
    '/api/backoffice/reports',
    {
      summary:
        'Request a report (sales, finance, customers or repairs) over whole UTC days; generated as a job',
      tags: ['reports'],
      auth: BACKOFFICE_WRITERS,
      body: ReportRequest,
      idempotencyKey: true,
      responses: {
        202: {
          description: 'The report job, queued (the same key again: the same job)',
          schema: ReportSchema,
        },
        400: { description: 'Bad period or kind' },
      },
    },
    async ({ body, user, idempotencyKey }) => {
      const job = await deps.jobs.request({
        id: jobIdFor(user.id, idempotencyKey),
        kind: REPORT_JOB,
        params: body,
        requestedBy: user.id,
      });
      return {
        status: 202,
        body: await withFiles(job),
        headers: { location: `/api/backoffice/reports/${job.id}` },
      };
    },
  );

  routes.get(
    '/api/backoffice/reports',
    {
      summary: 'Reports, newest first',
      tags: ['reports'],
      auth: BACKOFFICE_READERS,
      query: PageQuery.omit({ cursor: true }),
      responses: { 200: { description: 'Reports', schema: z.object({ items: z.array(ReportSchema) }) } },
    },
    async ({ query }) => {
      const jobs = await deps.jobs.list({ kind: REPORT_JOB, limit: query.limit });
      return { body: { items: await Promise.all(jobs.map(withFiles)) } };
    },
  );

  routes.get(
    '/api/backoffice/reports/:id',
    {
      summary: 'A report: its progress (percent, ETA) and, once done, its files',
      tags: ['reports'],
      auth: BACKOFFICE_READERS,
      params: IdParams,
      responses: {
        200: { description: 'The report', schema: ReportSchema },
        404: { description: 'No such report' },
      },
    },
    async ({ params }) => {
      const job = await deps.jobs.get(params.id);
      if (job.kind !== REPORT_JOB) return { status: 404 };
      return { body: await withFiles(job) };
    },
  );

  routes.get(
    '/api/backoffice/reports/:id/download',
    {
      summary: "Download a finished report's file (CSV or JSON)",
      tags: ['reports'],
      auth: BACKOFFICE_READERS,
      params: IdParams,
      query: z.object({ format: z.enum(['csv', 'json']).default('csv') }),
      responses: {
        200: { description: 'The file, as an attachment' },
        404: { description: 'Not generated yet, or expired' },
      },
    },
    async ({ params, query }) => {
      const file = await downloadReport(deps.pool, params.id, query.format);
      return {
        body: file.content,
        headers: {
          'content-type':
            query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="report-${params.id}.${query.format}"`,
          etag: `"${file.sha256}"`,
        },
      };
    },
  );
}
