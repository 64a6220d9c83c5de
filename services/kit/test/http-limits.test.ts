// What the HTTP listener does with requests larger than Node's defaults: a long query the edge would
// pass reaches the route, and one past the listener's limit is refused with problem+json.
import assert from 'node:assert/strict';
import { createHttpApp, createLogger, createMetrics, HttpRoutes, startService } from '../src/index.js';

describe('kit HTTP listener limits', () => {
  let service: Awaited<ReturnType<typeof startService>>;
  let seen = 0;

  before(async () => {
    const logger = createLogger({ service: 'kit-test', level: 'silent' });
    const routes = new HttpRoutes();
    routes.get('/api/echo', { summary: 'echo', responses: {} }, async () => {
      seen += 1;
      return { body: {} };
    });
    const http = createHttpApp({
      service: 'kit-test',
      logger,
      metrics: createMetrics('kit-test'),
      routes,
      openApi: { title: 't', version: '1' },
    });
    service = await startService({ logger, host: '127.0.0.1', httpPort: 0, http });
  });

  after(() => service?.close());

  it('lets a 30 KiB query string (past Node’s 16 KiB default, within the edge’s 60 KiB) reach the app', async () => {
    // An unknown path: the app's own 404 problem shows the request got past the listener.
    const response = await fetch(`${service.httpUrl}/api/nowhere?q=${'a'.repeat(30_000)}`);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  it('refuses headers past its limit with a problem+json 431, before any route runs', async () => {
    const response = await fetch(`${service.httpUrl}/api/echo?q=${'b'.repeat(70_000)}`);
    assert.equal(response.status, 431);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = (await response.json()) as { type: string; status: number };
    assert.equal(problem.type, 'https://shopstack.dev/problems/request-headers-too-large');
    assert.equal(problem.status, 431);
    assert.equal(seen, 0, 'the route never ran');
  });
});
