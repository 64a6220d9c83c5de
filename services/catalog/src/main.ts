// The catalog service as a process: `npm start -w @shopstack/catalog`. Migrations run on start.
import { loadConfig, runMain } from '@shopstack/kit';
import { catalogConfigSchema } from './config.js';
import { startCatalogService } from './service.js';

await runMain('catalog', () => startCatalogService(loadConfig(catalogConfigSchema)));
