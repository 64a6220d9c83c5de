// Operator endpoints (role admin): run reconciliation on demand and read its report.
import type { HttpRoutes } from '@shopstack/kit';
import { describeReport } from '../../app/jobs.js';
import type { PaymentsApp } from '../../app/payments.js';

export function adminRoutes(routes: HttpRoutes, app: PaymentsApp): void {
  routes.post(
    '/api/payments/admin/reconciliation',
    {
      summary: 'Recompute every balance from the journal and report differences',
      tags: ['admin'],
      auth: ['admin'],
      responses: { 200: { description: 'The report' }, 403: { description: 'Not an admin' } },
    },
    async () => {
      const report = await app.reconciliation.run();
      return { body: { ...describeReport(report), details: report.problems.slice(0, 100) } };
    },
  );
}
