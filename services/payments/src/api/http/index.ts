// Every HTTP route of the payments service, under /api/payments.
import type { HttpRoutes, Logger } from '@shopstack/kit';
import type { PaymentsApp } from '../../app/payments.js';
import { accountRoutes } from './accounts.js';
import { adminRoutes } from './admin.js';
import { providerPaymentRoutes } from './provider-payments.js';
import { transferRoutes } from './transfers.js';

export function registerRoutes(
  routes: HttpRoutes,
  app: PaymentsApp,
  currencies: readonly string[],
  logger: Logger,
) {
  accountRoutes(routes, app, currencies);
  transferRoutes(routes, app, currencies);
  providerPaymentRoutes(routes, app, currencies, logger);
  adminRoutes(routes, app);
}
