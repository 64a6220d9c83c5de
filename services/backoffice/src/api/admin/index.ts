// The admin API under /api/backoffice: one file of routes per area, each a function of the route
// table and the deps. The edge lets only admin and support through; each route names its roles too.
// Add an area by adding its file and one line to ADMIN_AREAS.
import type { HttpRoutes } from '@shopstack/kit';
import type { BackofficeDeps } from '../../app/deps.js';
import { addAnomalyRoutes } from './anomalies.js';
import { addCustomerRoutes } from './customers.js';
import { addJobRoutes } from './jobs.js';
import { addLogRoutes } from './logs.js';
import { addRepairRoutes } from './repairs.js';
import { addReportRoutes } from './reports.js';
import { addUserRoutes } from './users.js';

export type AdminArea = (routes: HttpRoutes, deps: BackofficeDeps) => void;

const ADMIN_AREAS: readonly AdminArea[] = [
  addJobRoutes,
  addReportRoutes,
  addAnomalyRoutes,
  addCustomerRoutes,
  addUserRoutes,
  addRepairRoutes,
  addLogRoutes,
];

export function addAdminRoutes(routes: HttpRoutes, deps: BackofficeDeps): void {
  for (const add of ADMIN_AREAS) add(routes, deps);
}
