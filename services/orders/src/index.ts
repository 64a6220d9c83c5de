// @shopstack/orders: start the service in-process (tests, benchmarks) or run main.ts.
export { type OrdersConfig, ordersConfigSchema } from './config.js';
export { type OrdersService, ordersService, startOrdersService } from './service.js';
