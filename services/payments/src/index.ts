// @shopstack/payments: the service's entry points for other workspaces (tests, benchmarks).
export { loadPaymentsConfig, type PaymentsConfig, paymentsConfigSchema } from './config.js';
export { type PaymentsService, startPaymentsService } from './service.js';
