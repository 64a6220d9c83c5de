// The web service as a process: `npm start -w @shopstack/web-service` (build the app first).
import { runService } from '@shopstack/kit';
import { webService } from './service.js';

await runService(webService);
