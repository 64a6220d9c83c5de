// The notifications service as a process: `npm start -w @shopstack/notifications`. Migrations run on start.
import { runService } from '@shopstack/kit';
import { notificationsService } from './service.js';

await runService(notificationsService);
