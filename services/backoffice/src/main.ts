// The back office as a process: `npm start -w @shopstack/backoffice`. BACKOFFICE_ROLE picks the admin
// API, the worker or both; migrations run on start in either role.
import { runService } from '@shopstack/kit';
import { backofficeService } from './service.js';

await runService(backofficeService);
