// The payments process: `npm start -w @shopstack/payments` (configuration from the environment).
import { runMain } from '@shopstack/kit';
import { loadPaymentsConfig } from './config.js';
import { startPaymentsService } from './service.js';

await runMain('payments', () => startPaymentsService(loadPaymentsConfig()));
