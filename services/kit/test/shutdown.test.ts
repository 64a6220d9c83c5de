// Graceful shutdown: readiness drops, requests in flight finish, new connections are refused,
// closers run last.
import assert from 'node:assert/strict';
import { createHttpApp, createLogger, createMetrics, HttpRoutes, startService } from '../src/index.js';
import { waitFor } from '../src/testing/index.js';

describe('kit graceful shutdown', () => {
  it('drains in-flight requests before closing pools', async () => {
    const logger = createLogger({ service: 'kit-test', level: 'silent' });
    const events: string[] = [];
    let releaseSlow: () => void = () => {};
    let slowStarted = false;
    const routes = new HttpRoutes();
    routes.get('/api/slow', { summary: 'slow', responses: {} }, async () => {
      slowStarted = true;
      await new Promise<void>((resolve) => {
        releaseSlow = resolve;
      });
      events.push('slow request finished');
      return { body: { done: true } };
    });
    let accepting = true;
    const http = createHttpApp({
      service: 'kit-test',
      logger,
      metrics: createMetrics('kit-test'),
      routes,
      openApi: { title: 't', version: '1' },
      isAccepting: () => accepting,
    });
    const service = await startService({
      logger,
      host: '127.0.0.1',
      httpPort: 0,
      http,
      onStopAccepting: () => {
        accepting = false;
        events.push('stopped accepting');
      },
      closers: [
        async () => {
          events.push('pool closed');
        },
        async () => {
          events.push('relay stopped');
        },
      ],
    });

    const slow = fetch(`${service.httpUrl}/api/slow`, { headers: { connection: 'close' } });
    await waitFor(() => slowStarted, { what: 'slow request to start' });
    const closed = service.close();
    await waitFor(() => events.includes('stopped accepting'), { what: 'shutdown to begin' });
    await assert.rejects(
      fetch(`${service.httpUrl}/healthz`, { headers: { connection: 'close' } }),
      'new connections are refused',
    );
    assert.ok(!events.includes('pool closed'), 'pools stay open while a request is in flight');

    releaseSlow();
    const response = await slow;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { done: true });
    await closed;
    assert.deepEqual(events, ['stopped accepting', 'slow request finished', 'relay stopped', 'pool closed']);
  });

  it('keeps serving new requests through the grace period while reporting not-ready', async () => {
    const logger = createLogger({ service: 'kit-test', level: 'silent' });
    let served = 0;
    const routes = new HttpRoutes();
    routes.get('/api/ok', { summary: 'ok', responses: {} }, async () => {
      served += 1;
      return { body: { served } };
    });
    let accepting = true;
    const http = createHttpApp({
      service: 'kit-test',
      logger,
      metrics: createMetrics('kit-test'),
      routes,
      openApi: { title: 't', version: '1' },
      isAccepting: () => accepting,
    });
    let closersRan = false;
    const service = await startService({
      logger,
      host: '127.0.0.1',
      httpPort: 0,
      http,
      drainDelayMs: 3_000,
      onStopAccepting: () => {
        accepting = false;
      },
      closers: [
        async () => {
          closersRan = true;
        },
      ],
    });
    const closed = service.close();
    const fresh = { headers: { connection: 'close' } };
    assert.equal((await fetch(`${service.httpUrl}/readyz`, fresh)).status, 503);
    const during = await fetch(`${service.httpUrl}/api/ok`, fresh);
    assert.equal(during.status, 200, 'a new connection is still served during the grace period');
    assert.deepEqual(await during.json(), { served: 1 });
    assert.equal(closersRan, false);
    await closed;
    assert.equal(closersRan, true);
    await assert.rejects(fetch(`${service.httpUrl}/api/ok`, fresh), 'refused once the grace period is over');
  });
});
