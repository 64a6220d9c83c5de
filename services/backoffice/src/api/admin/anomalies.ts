// Anomalies: list them, acknowledge one (someone is on it), resolve it.
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import { type AnomalyRow, anomaliesOf, moveAnomaly } from '../../app/anomalies.js';
import type { BackofficeDeps } from '../../app/deps.js';
import { BACKOFFICE_READERS, BACKOFFICE_WRITERS } from '../../domain/roles.js';
import { IdParams } from './schemas.js';

const AnomalySchema = z.object({
  id: z.uuid(),
  rule: z.string(),
  subject: z.string(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  value: z.number(),
  threshold: z.number(),
  detail: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  acknowledgedBy: z.string().nullable(),
  resolvedBy: z.string().nullable(),
});

const view = (row: AnomalyRow) => ({
  id: row.id,
  rule: row.rule,
  subject: row.subject,
  status: row.status,
  value: row.value,
  threshold: row.threshold,
  detail: row.detail,
  firstSeenAt: row.first_seen_at.toISOString(),
  lastSeenAt: row.last_seen_at.toISOString(),
  acknowledgedBy: row.acknowledged_by,
  resolvedBy: row.resolved_by,
});

export function addAnomalyRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  routes.get(
    '/api/backoffice/anomalies',
    {
      summary: 'Anomalies the scheduled rules raised, most recently seen first',
      tags: ['anomalies'],
      auth: BACKOFFICE_READERS,
      query: z.object({ status: z.enum(['open', 'acknowledged', 'resolved']).optional() }),
      responses: { 200: { description: 'Anomalies', schema: z.object({ items: z.array(AnomalySchema) }) } },
    },
    async ({ query }) => ({ body: { items: (await anomaliesOf(deps, query.status)).map(view) } }),
  );
  for (const [action, to] of [
    ['acknowledge', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const)
    routes.post(
      `/api/backoffice/anomalies/:id/${action}`,
      {
        summary: `Mark an anomaly ${to}`,
        tags: ['anomalies'],
        auth: BACKOFFICE_WRITERS,
        params: IdParams,
        responses: {
          200: { description: `The anomaly, ${to}`, schema: AnomalySchema },
          404: { description: 'No such anomaly' },
          409: { description: 'Already past that step' },
        },
      },
      async ({ params, user }) => ({ body: view(await moveAnomaly(deps, params.id, to, user.id)) }),
    );
}
