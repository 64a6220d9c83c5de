// The payments process: `npm start -w @shopstack/payments` (configuration from the environment).
import { runService } from '@shopstack/kit';
import { paymentsService } from './service.js';

await runService(paymentsService);
