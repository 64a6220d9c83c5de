// Writes web/openapi/<service>.json from what the services serve: starts the platform the browser
// test runs on (every service on databases of its own, the back office included), reads each
// /openapi.json, stops it.
//   node --import tsx --conditions=shopstack-source test/web/refresh-openapi.ts
// (needs the infrastructure: npm run infra -- up postgres rabbitmq ferretdb redis envoy mailpit)
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { platform } from '../e2e/platform.js';
import { documentFile, serialize, servedDocument, WEB_API_SERVICES } from './openapi-documents.js';

// The addresses `npm run infra -- up` wrote, as mocha loads them for the tests.
createRequire(import.meta.url)('../support/infra-env.cjs');
const shop = await platform();
try {
  for (const service of WEB_API_SERVICES) {
    const url = shop.services?.[service];
    if (!url) throw new Error(`${service} did not start`);
    await writeFile(documentFile(service), serialize(await servedDocument(url)));
    console.log(`wrote ${documentFile(service)}`);
  }
} finally {
  await shop.stop();
}
