// @shopstack/payments: the service's entry points for other workspaces (tests, benchmarks).
export { type PaymentsConfig, paymentsConfigSchema } from './config.js';
export { type PaymentsService, paymentsService, startPaymentsService } from './service.js';
