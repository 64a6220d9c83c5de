// The Koa app factory end to end over real HTTP: validation, problem+json, limits, operational routes.
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { RunningService } from '../src/index.js';
import {
  AppError,
  bigintDigits,
  createHttpApp,
  createLogger,
  createMetrics,
  HttpRoutes,
  startService,
} from '../src/index.js';
import { rawRequest, readJson } from '../src/testing/index.js';

describe('kit HTTP app', () => {
  let service: RunningService;
  const stored: unknown[] = [];
  let dependencyUp = true;

  before(async () => {
    const logger = createLogger({ service: 'kit-test', level: 'silent' });
    const metrics = createMetrics('kit-test');
    const routes = new HttpRoutes({ bodyLimitBytes: 1024 });
    routes.post(
      '/api/things',
      {
        summary: 'Create a thing',
        body: z.object({ name: z.string().min(2), count: z.number().int().positive() }),
        responses: { 201: { description: 'Created', schema: z.object({ name: z.string() }) } },
      },
      async ({ body }) => {
        stored.push(body);
        return { status: 201, body: { name: body.name } };
      },
    );
    routes.get(
      '/api/things',
      {
        summary: 'Search things',
        query: z.object({ q: z.string().optional(), before: bigintDigits.optional() }),
        responses: { 200: { description: 'Found' } },
      },
      async ({ query }) => {
        stored.push(query);
        return { body: { found: 0 } };
      },
    );
    routes.put(
      '/api/things/:id/amount',
      {
        summary: 'Set an amount',
        body: z.object({ amount: z.string().transform((value) => BigInt(value)) }),
        params: z.object({ id: z.string() }),
        idempotencyKey: true,
        responses: { 204: { description: 'Set' } },
      },
      async ({ body, params, idempotencyKey }) => {
        stored.push({ ...body, id: params.id, idempotencyKey });
        return {};
      },
    );
    routes.get(
      '/api/things/:id',
      { summary: 'A thing', responses: { 200: { description: 'The thing' } } },
      () => {
        throw new AppError('not_found', 'thing-not-found', 'no such thing');
      },
    );
    routes.get('/api/boom', { summary: 'Fails', responses: {} }, () => {
      throw new Error('secret internal detail');
    });
    const http = createHttpApp({
      service: 'kit-test',
      logger,
      metrics,
      routes,
      openApi: { title: 'kit test', version: '1' },
      readiness: [{ name: 'dependency', check: async () => assert.ok(dependencyUp, 'down') }],
    });
    service = await startService({ logger, host: '127.0.0.1', httpPort: 0, http });
  });

  after(() => service.close());

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${service.httpUrl}/api/things`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it('accepts valid input', async () => {
    const response = await post(JSON.stringify({ name: 'lamp', count: 2 }));
    assert.equal(response.status, 201);
    assert.deepEqual(await readJson(response), { name: 'lamp' });
    assert.deepEqual(stored.at(-1), { name: 'lamp', count: 2 });
  });

  it('rejects bad input with a 400 problem naming each field, storing nothing', async () => {
    const before = stored.length;
    const response = await post(JSON.stringify({ name: 'x', count: -1 }));
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = await readJson(response);
    assert.equal(problem.type, 'https://shopstack.dev/problems/validation');
    assert.equal(problem.status, 400);
    assert.ok(problem.title && problem.detail);
    assert.deepEqual(problem.errors.map((e: { field: string }) => e.field).sort(), ['count', 'name']);
    assert.equal(stored.length, before);
  });

  it('rejects malformed JSON, oversized bodies and other media types', async () => {
    assert.equal((await post('{"name":')).status, 400);
    const big = await post(JSON.stringify({ name: 'a'.repeat(2000), count: 1 }));
    assert.equal(big.status, 413);
    assert.equal((await readJson(big)).type, 'https://shopstack.dev/problems/body-too-large');
    assert.equal((await post('name=x', 'application/x-www-form-urlencoded')).status, 415);
  });

  it('refuses NUL and unpaired surrogates anywhere in the input as a 400 naming the field', async () => {
    const before = stored.length;
    const cases: [Response, string][] = [
      [await post('{"name":"la\\u0000mp","count":1}'), 'name'],
      [await post('{"name":"lamp\\ud800","count":1}'), 'name'],
      [await post('{"name":"\\udc00lamp","count":1}'), 'name'],
      [await post('{"name":"lamp","count":1,"tags":[{"a\\u0000":"x"}]}'), 'tags.0.a\\u0000'],
      [await fetch(`${service.httpUrl}/api/things?q=a%00b`), 'q'],
      [await fetch(`${service.httpUrl}/api/things/a%00b`), 'id'],
      [
        await fetch(`${service.httpUrl}/api/things/a%00b/amount`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: '{"amount":"1"}',
        }),
        'id',
      ],
    ];
    for (const [response, field] of cases) {
      assert.equal(response.status, 400, field);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      const problem = await readJson(response);
      assert.equal(problem.type, 'https://shopstack.dev/problems/validation');
      assert.deepEqual(
        problem.errors.map((e: { field: string }) => e.field),
        [field],
      );
    }
    assert.equal(stored.length, before);
    // A surrogate pair (an emoji) is fine.
    assert.equal((await post('{"name":"lamp \\ud83d\\udca1","count":1}')).status, 201);
    assert.equal((stored.at(-1) as { name: string }).name, 'lamp \u{1f4a1}');
  });

  it('holds integers to the range of a bigint column', async () => {
    const before = stored.length;
    const tooBig = await fetch(`${service.httpUrl}/api/things?before=9223372036854775808`);
    assert.equal(tooBig.status, 400);
    assert.deepEqual(
      (await readJson(tooBig)).errors.map((e: { field: string }) => e.field),
      ['before'],
    );
    const amount = await fetch(`${service.httpUrl}/api/things/7/amount`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":"9223372036854775808"}',
    });
    assert.equal(amount.status, 400);
    assert.deepEqual(
      (await readJson(amount)).errors.map((e: { field: string }) => e.field),
      ['amount'],
    );
    assert.equal(stored.length, before);
    assert.equal((await fetch(`${service.httpUrl}/api/things?before=9223372036854775807`)).status, 200);
    assert.deepEqual(stored.at(-1), { before: '9223372036854775807' });
  });

  it('reads a declared Idempotency-Key header after the input, and refuses a request without one', async () => {
    const put = (headers: Record<string, string>) =>
      fetch(`${service.httpUrl}/api/things/7/amount`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"amount":"12"}',
      });
    const before = stored.length;
    const badHeaders: Record<string, string>[] = [{}, { 'idempotency-key': 'has spaces' }];
    for (const headers of badHeaders) {
      const refused = await put(headers);
      assert.equal(refused.status, 400);
      const problem = await readJson(refused);
      assert.equal(problem.type, 'https://shopstack.dev/problems/idempotency-key-required');
      assert.equal(problem.errors[0].field, 'Idempotency-Key');
    }
    assert.equal(stored.length, before);
    assert.equal((await put({ 'idempotency-key': 'k-1' })).status, 204);
    assert.deepEqual(stored.at(-1), { amount: 12n, id: '7', idempotencyKey: 'k-1' });
  });

  it('answers a method a path does not take with 405 and Allow, whatever the method', async () => {
    for (const method of ['PATCH', 'DELETE', 'TRACE', 'PURGE']) {
      const response = await rawRequest(`${service.httpUrl}/api/things/7`, method);
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.allow, 'GET, HEAD, OPTIONS');
      assert.equal(response.headers['content-type'], 'application/problem+json');
      const problem = JSON.parse(response.body);
      assert.equal(problem.status, 405);
      assert.equal(problem.type, 'https://shopstack.dev/problems/method-not-allowed');
    }
    const options = await fetch(`${service.httpUrl}/api/things`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS, POST');
    const health = await fetch(`${service.httpUrl}/healthz`, { method: 'POST' });
    assert.equal(health.status, 405);
    const unknown = await rawRequest(`${service.httpUrl}/nowhere`, 'TRACE');
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).status, 404);
  });

  it('maps AppError to its status and hides unexpected errors', async () => {
    const missing = await fetch(`${service.httpUrl}/api/things/7`);
    assert.equal(missing.status, 404);
    assert.equal((await readJson(missing)).type, 'https://shopstack.dev/problems/thing-not-found');
    const boom = await fetch(`${service.httpUrl}/api/boom`);
    assert.equal(boom.status, 500);
    const text = await boom.text();
    assert.ok(!text.includes('secret internal detail'));
    const unknown = await fetch(`${service.httpUrl}/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json');
  });

  it('echoes a request id, or makes one', async () => {
    const given = await fetch(`${service.httpUrl}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(given.headers.get('x-request-id'), 'abc-123');
    const made = await fetch(`${service.httpUrl}/healthz`);
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('serves healthz, readyz reflecting dependencies, metrics and the OpenAPI document', async () => {
    assert.equal((await fetch(`${service.httpUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${service.httpUrl}/readyz`)).status, 200);
    dependencyUp = false;
    const notReady = await fetch(`${service.httpUrl}/readyz`);
    assert.equal(notReady.status, 503);
    assert.equal((await readJson(notReady)).checks.dependency, 'down');
    dependencyUp = true;

    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    assert.match(metrics, /http_server_requests_total\{[^}]*route="\/api\/things"[^}]*status="201"/);
    assert.match(metrics, /http_server_errors_total\{[^}]*route="\/api\/boom"[^}]*status="500"/);
    assert.match(metrics, /process_cpu_seconds_total/);

    const openApi = await readJson(await fetch(`${service.httpUrl}/openapi.json`));
    const operation = openApi.paths['/api/things'].post;
    assert.deepEqual(operation.requestBody.content['application/json'].schema.required.sort(), [
      'count',
      'name',
    ]);
    assert.ok(
      openApi.paths['/api/things/{id}'].get.parameters.some((p: { name: string }) => p.name === 'id'),
    );
    // Every header, parameter and response a route can give is in the document.
    const put = openApi.paths['/api/things/{id}/amount'].put;
    assert.deepEqual(
      put.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required]),
      [
        ['id', 'path', true],
        ['Idempotency-Key', 'header', true],
      ],
    );
    assert.deepEqual(Object.keys(put.responses).sort(), ['204', '400', '413', '415', 'default']);
    assert.ok(put.responses['400'].content['application/problem+json']);
    assert.equal(
      openApi.paths['/api/things'].get.parameters.find((p: { name: string }) => p.name === 'before').schema
        .pattern,
      '^\\d{1,19}$',
    );
  });
});
