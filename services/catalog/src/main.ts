// The catalog service as a process: `npm start -w @shopstack/catalog`. Migrations run on start.
import { runService } from '@shopstack/kit';
import { catalogService } from './service.js';

await runService(catalogService);
