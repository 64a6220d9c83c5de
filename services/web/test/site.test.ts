// The web service on a folder of its own: what it serves, with which cache headers, and what it
// refuses. (The browser tests in test/web drive the real app through the edge.)
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type RunningService } from '@shopstack/kit';
import { startWebService, webConfigSchema } from '../src/index.js';

const INDEX =
  '<!doctype html><title>shop</title><script type="module" src="/assets/index-abc123.js"></script>';

describe('web service', () => {
  let root: string;
  let web: RunningService;
  const get = (url: string, init?: RequestInit) => fetch(`${web.httpUrl}${url}`, init);

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'web-site-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), INDEX);
    await writeFile(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
    await writeFile(path.join(root, 'robots.txt'), 'User-agent: *\n');
    await writeFile(path.join(os.tmpdir(), 'outside-web-root.txt'), 'secret');
    web = await startWebService(
      webConfigSchema.parse({
        HTTP_PORT: '0',
        WEB_ROOT: root,
        PROMETHEUS_URL: 'http://127.0.0.1:9090',
        ZIPKIN_URL: 'http://127.0.0.1:9411/zipkin/',
        LOG_LEVEL: 'silent',
      }),
      createLogger({ service: 'web', level: 'silent' }),
    );
  });

  after(async () => {
    await web?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, with a content security policy', async () => {
    const response = await get('/');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), INDEX);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  it('serves hashed assets as immutable for a year, other files revalidated', async () => {
    const asset = await get('/assets/index-abc123.js');
    assert.equal(asset.status, 200);
    assert.equal(await asset.text(), 'console.log(1);');
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('content-security-policy'), null, 'the policy belongs to the page');
    const robots = await get('/robots.txt');
    assert.equal(robots.headers.get('cache-control'), 'no-cache');
  });

  it("answers the app's own paths with the app, so deep links and reloads work", async () => {
    for (const page of ['/orders/7f9c', '/admin/users/1', '/cart']) {
      const response = await get(page);
      assert.equal(response.status, 200, page);
      assert.equal(await response.text(), INDEX, page);
    }
  });

  it('does not answer API paths, missing files, other methods or paths outside its folder', async () => {
    for (const [url, init] of [
      ['/api/orders'],
      ['/.well-known/openid-configuration'],
      ['/assets/missing-123.js'],
      ['/favicon.ico'],
      ['/%2e%2e/outside-web-root.txt'],
      ['/', { method: 'POST' }],
    ] as [string, RequestInit?][]) {
      const response = await get(url, init);
      assert.ok(response.status === 404 || response.status === 405, `${url}: ${response.status}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/, url);
      assert.doesNotMatch(await response.text(), /secret|<!doctype/, url);
    }
  });

  it("tells the console the shop's links; unset ones are absent", async () => {
    const response = await get('/config.json');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      links: { prometheus: 'http://127.0.0.1:9090', zipkin: 'http://127.0.0.1:9411/zipkin/' },
    });
  });

  it('is not ready without a built app', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'web-empty-'));
    const bare = await startWebService(
      webConfigSchema.parse({ HTTP_PORT: '0', WEB_ROOT: empty, LOG_LEVEL: 'silent' }),
      createLogger({ service: 'web', level: 'silent' }),
    );
    try {
      const ready = await fetch(`${bare.httpUrl}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { checks: { app: string } }).checks.app !== 'ok', true);
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
