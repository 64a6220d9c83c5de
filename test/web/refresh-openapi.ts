// Writes web/openapi/<service>.json from what the services serve: starts them on databases of
// their own (like the end-to-end tests), reads each /openapi.json, stops them.
//   node --import tsx --conditions=shopstack-source test/web/refresh-openapi.ts
// (needs the infrastructure: npm run infra -- up postgres rabbitmq ferretdb mailpit)
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startShopProcesses } from '../checkout/support/shop.js';
import { documentFile, serialize, servedDocument, WEB_API_SERVICES } from './openapi-documents.js';

// The addresses `npm run infra -- up` wrote, as mocha loads them for the tests.
createRequire(import.meta.url)('../support/infra-env.cjs');
const shop = await startShopProcesses({ withNotifications: { publicUrl: 'http://127.0.0.1:8080' } });
try {
  for (const service of WEB_API_SERVICES) {
    const url = shop[service]?.httpUrl;
    if (!url) throw new Error(`${service} did not start`);
    await writeFile(documentFile(service), serialize(await servedDocument(url)));
    console.log(`wrote ${documentFile(service)}`);
  }
} finally {
  await shop.stop();
}
