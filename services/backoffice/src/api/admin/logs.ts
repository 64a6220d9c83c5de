// Logs: the services' recent warnings and errors, searchable by time, service, level and text, for
// admin and support; and the internal intake the kit's log sink posts to (not routed by the edge).
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import type { BackofficeDeps } from '../../app/deps.js';
import { recordLogLines, searchLogs } from '../../app/logs.js';
import { BACKOFFICE_READERS } from '../../domain/roles.js';

const LEVELS = ['warn', 'error', 'fatal'] as const;
const Entry = z
  .object({
    time: z.iso.datetime({ offset: true }),
    service: z.string().min(1).max(64),
    level: z.enum(LEVELS),
    msg: z.string().max(2_000).default(''),
    traceId: z.string().max(64).optional(),
    requestId: z.string().max(128).optional(),
  })
  .loose();

export function addLogRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  routes.post(
    '/internal/log-events',
    {
      summary: "The kit's log sink: a batch of warnings and errors (internal; the edge does not route it)",
      tags: ['logs'],
      body: z.object({ entries: z.array(Entry).max(500) }),
      responses: { 204: { description: 'Stored (the store keeps the newest LOG_EVENTS_MAX)' } },
    },
    async ({ body }) => {
      await recordLogLines(deps, body.entries);
      return { status: 204 };
    },
  );

  routes.get(
    '/api/backoffice/logs',
    {
      summary:
        'Recent warnings and errors of every service: what went wrong, when, where (secrets are redacted at the source)',
      tags: ['logs'],
      auth: BACKOFFICE_READERS,
      query: z.object({
        service: z.string().min(1).max(64).optional(),
        level: z.enum(LEVELS).optional(),
        q: z.string().min(1).max(200).optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      responses: {
        200: {
          description: 'Newest first',
          schema: z.object({
            items: z.array(
              z.object({ at: z.string(), service: z.string(), level: z.string(), msg: z.string() }).loose(),
            ),
          }),
        },
      },
    },
    async ({ query }) => {
      const items = await searchLogs(deps, {
        service: query.service,
        level: query.level,
        text: query.q,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        limit: query.limit,
      });
      return { body: { items } };
    },
  );
}
