// @shopstack/orders: start the service in-process (tests, benchmarks) or run main.ts.
export { loadOrdersConfig, type OrdersConfig, ordersConfigSchema } from './config.js';
export { type OrdersService, startOrdersService } from './service.js';
