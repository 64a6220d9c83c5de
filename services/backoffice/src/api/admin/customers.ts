// The one-customer view, for admin and support (read-only).
import type { HttpRoutes } from '@shopstack/kit';
import { z } from 'zod';
import { customerView } from '../../app/customer-view.js';
import type { BackofficeDeps } from '../../app/deps.js';
import { BACKOFFICE_READERS } from '../../domain/roles.js';
import { IdParams } from './schemas.js';

export function addCustomerRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  routes.get(
    '/api/backoffice/customers/:id',
    {
      summary:
        'One customer: profile, role, sessions, orders with their saga, accounts and statement, adjustments, deliveries, audit trail',
      tags: ['customers'],
      auth: BACKOFFICE_READERS,
      params: IdParams,
      responses: {
        200: {
          description:
            'The customer; `unavailable` names the services that did not answer (their parts are null)',
          schema: z
            .object({ profile: z.object({ id: z.string() }).loose(), unavailable: z.array(z.string()) })
            .loose(),
        },
        404: { description: 'No such user' },
      },
    },
    async ({ params }) => ({ body: await customerView(deps.owners, params.id) }),
  );
}
