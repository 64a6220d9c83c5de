// The orders process: `npm start -w @shopstack/orders` (configuration from the environment).
import { runService } from '@shopstack/kit';
import { ordersService } from './service.js';

await runService(ordersService);
