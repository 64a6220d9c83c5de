// Jobs: watch any job (reports, retention runs, anomaly sweeps) and cancel one.
import type { HttpRoutes } from '@shopstack/kit';
import { decodeCursor, encodeCursor } from '@shopstack/kit';
import { z } from 'zod';
import type { BackofficeDeps } from '../../app/deps.js';
import { BACKOFFICE_READERS, BACKOFFICE_WRITERS } from '../../domain/roles.js';
import { IdParams, JobSchema, PageQuery } from './schemas.js';

const JobPosition = z.object({ createdAt: z.coerce.date(), id: z.uuid() });

export function addJobRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  routes.get(
    '/api/backoffice/jobs',
    {
      summary: 'List jobs, newest first',
      tags: ['jobs'],
      auth: BACKOFFICE_READERS,
      query: PageQuery.extend({ kind: z.string().min(1).max(64).optional() }),
      responses: {
        200: {
          description: 'A page of jobs',
          schema: z.object({ items: z.array(JobSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    async ({ query }) => {
      const before = query.cursor ? decodeCursor(JobPosition, query.cursor) : undefined;
      const items = await deps.jobs.list({ kind: query.kind, limit: query.limit, before });
      const last = items.at(-1);
      return {
        body: {
          items,
          nextCursor:
            last && items.length === query.limit
              ? encodeCursor({ createdAt: last.createdAt, id: last.id })
              : null,
        },
      };
    },
  );

  routes.get(
    '/api/backoffice/jobs/:id',
    {
      summary: 'One job: status, progress (percent and ETA), attempts',
      tags: ['jobs'],
      auth: BACKOFFICE_READERS,
      params: IdParams,
      responses: { 200: { description: 'The job', schema: JobSchema }, 404: { description: 'No such job' } },
    },
    async ({ params }) => ({ body: await deps.jobs.get(params.id) }),
  );

  routes.post(
    '/api/backoffice/jobs/:id/cancel',
    {
      summary: 'Cancel a job: a queued one at once, a running one at its next progress step',
      tags: ['jobs'],
      auth: BACKOFFICE_WRITERS,
      params: IdParams,
      responses: {
        200: { description: 'The job after the request', schema: JobSchema },
        404: { description: 'No such job' },
      },
    },
    async ({ params }) => ({ body: await deps.jobs.cancel(params.id) }),
  );
}
