// Web app benchmark: the budgets of the storefront, measured and printed, not asserted.
//   1. initial JavaScript, gzipped: the entry script and what index.html preloads (budget 150 KB);
//   2. first contentful paint of / on localhost, served by the web service, against a floor measured in
//      the same run: a bare HTML page served by the same service (budget 1 s);
//   3. a catalog page of 50 products: from the moment the products' response has arrived to 50 cards
//      rendered with their buttons enabled (budget 300 ms). The products reply is a fixture of 50
//      products given to the page by Playwright's request interception, so the figure is the app's
//      own cost, not the catalog's.
// Debian's Chromium, headless; talks only to 127.0.0.1. Build the app first (npm run build -w @shopstack/web).
//
//   node --import tsx --conditions shopstack-source bench/web/run.ts [rounds]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createLogger } from '@shopstack/kit';
import { startWebService, webConfigSchema } from '@shopstack/web-service';
import { type Browser, chromium } from 'playwright-core';
import { percentile } from '../support/timing.js';

const rounds = Number(process.argv[2] ?? 7);
const dist = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const logger = createLogger({ service: 'web', level: 'silent' });
const start = (root: string) =>
  startWebService(webConfigSchema.parse({ HTTP_PORT: '0', WEB_ROOT: root, LOG_LEVEL: 'silent' }), logger);

async function initialJsGzipBytes(): Promise<{ files: string[]; bytes: number }> {
  const html = await readFile(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  let bytes = 0;
  for (const file of files) bytes += gzipSync(await readFile(path.join(dist, file))).length;
  return { files, bytes };
}

async function firstContentfulPaint(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const fcp = (await page.evaluate(`new Promise((resolve) => {
    const found = () => performance.getEntriesByName('first-contentful-paint')[0];
    if (found()) return resolve(found().startTime);
    new PerformanceObserver(() => found() && resolve(found().startTime)).observe({ type: 'paint', buffered: true });
  })`)) as number;
  await context.close();
  return fcp;
}

function productsFixture(count: number) {
  const now = new Date().toISOString();
  const items = Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    ownerId: 'bench',
    name: `Product ${i + 1}`,
    description: 'A product of the benchmark',
    categoryId: null,
    priceMinor: String(1000 + i * 25),
    currency: 'EUR',
    stock: { onHand: 10, reserved: 0, available: 10 },
    status: 'active',
    purchasable: true,
    rating: { average: 4.2, count: 3 },
    createdAt: now,
    updatedAt: now,
  }));
  return { items, page: 1, pageSize: count, total: count };
}

async function catalogAfterData(browser: Browser, url: string): Promise<number> {
  // The bench reads its marks from the page, so the page's policy must let it evaluate them.
  const context = await browser.newContext({ bypassCSP: true });
  await context.addInitScript(`
    new MutationObserver(() => {
      if (window.__shown) return;
      const cards = document.querySelectorAll('[data-testid="product-grid"] > li');
      if (cards.length >= 50 && [...cards].every((c) => !c.querySelector('button').disabled)) {
        window.__shown = performance.now();
      }
    }).observe(document, { childList: true, subtree: true, attributes: true });
  `);
  await context.route('**/api/catalog/products?**', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify(productsFixture(50)),
    }),
  );
  await context.route('**/api/catalog/categories', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"items":[]}' }),
  );
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.locator('[data-testid="product-grid"] > li').nth(49).waitFor();
  const [arrived, shown] = (await page.evaluate(`[
    performance.getEntriesByType('resource').find((e) => e.name.includes('/api/catalog/products')).responseEnd,
    window.__shown,
  ]`)) as [number, number];
  await context.close();
  return shown - arrived;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

const floorRoot = await mkdtemp(path.join(os.tmpdir(), 'bench-web-floor-'));
await writeFile(path.join(floorRoot, 'index.html'), '<!doctype html><title>floor</title><h1>ShopStack</h1>');
const [app, floor] = await Promise.all([start(dist), start(floorRoot)]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const js = await initialJsGzipBytes();
  const fcpApp: number[] = [];
  const fcpFloor: number[] = [];
  const catalog: number[] = [];
  await firstContentfulPaint(browser, app.httpUrl); // warm the browser process, not the page cache
  for (let i = 0; i < rounds; i++) {
    fcpFloor.push(await firstContentfulPaint(browser, floor.httpUrl));
    fcpApp.push(await firstContentfulPaint(browser, app.httpUrl));
    catalog.push(await catalogAfterData(browser, app.httpUrl));
  }
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  console.log(`web app benchmark, ${rounds} rounds, medians (fresh browser context each)`);
  console.log(
    `  initial JS (gzip)                 ${kb(js.bytes)} KB in ${js.files.length} file(s)   budget 150 KB`,
  );
  console.log(
    `  first contentful paint /          ${median(fcpApp).toFixed(0)} ms   floor (bare page, same service) ${median(fcpFloor).toFixed(0)} ms   budget 1000 ms`,
  );
  console.log(
    `  catalog of 50, data → interactive ${median(catalog).toFixed(0)} ms   (min ${Math.min(...catalog).toFixed(0)}, max ${Math.max(...catalog).toFixed(0)})   budget 300 ms`,
  );
} finally {
  await browser.close();
  await Promise.all([app.close(), floor.close()]);
  await rm(floorRoot, { recursive: true, force: true });
}
