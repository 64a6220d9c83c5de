// The orders process: `npm start -w @shopstack/orders` (configuration from the environment).
import { runMain } from '@shopstack/kit';
import { loadOrdersConfig } from './config.js';
import { startOrdersService } from './service.js';

await runMain('orders', () => startOrdersService(loadOrdersConfig()));
