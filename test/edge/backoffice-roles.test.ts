// The back office through a real Envoy: only staff tokens pass /api/backoffice (the edge's RBAC on
// the verified `role` claim), support reads but cannot change anything (the service's own check),
// a customer's token is refused by the edge before the service sees it, and the OpenAPI document is
// readable without an account like every other service's.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  type BackofficeService,
  backofficeConfigSchema,
  startBackofficeService,
} from '@shopstack/backoffice';
import { createLogger } from '@shopstack/kit';
import { createTestDatabase, freePort, type TestDatabase, testGrpcEnv } from '@shopstack/kit/testing';
import { infraEnv } from '../support/env.js';
import { type EdgeHarness, startEdge } from './edge-harness.js';

const PASSWORD = 'correct horse battery staple';

describe('the edge: the back office is for staff only', function () {
  this.timeout(120_000);
  let edge: EdgeHarness;
  let backoffice: BackofficeService;
  let database: TestDatabase;
  const tokens: Record<'customer' | 'support' | 'admin', string> = { customer: '', support: '', admin: '' };

  before(async () => {
    database = await createTestDatabase('edge_backoffice');
    // The edge needs the back office's address first; the back office needs users' JWKS. Start the
    // back office on a port picked now, once users (inside the edge harness) is up.
    const port = await freePort();
    edge = await startEdge({ upstreams: { backoffice: { host: '127.0.0.1', port } } });
    backoffice = await startBackofficeService(
      backofficeConfigSchema.parse({
        HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        ...testGrpcEnv('backoffice'),
        GRPC_PORT: '0',
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        AMQP_URL: infraEnv('AMQP_URL'),
        JWKS_URL: `${edge.users.httpUrl}/.well-known/jwks.json`,
        BACKOFFICE_ROLE: 'api',
      }),
      createLogger({ service: 'backoffice', level: 'silent' }),
    );
    // Accounts straight at users (the edge's sign-in limit is kept small for its own tests).
    for (const role of ['customer', 'support', 'admin'] as const) {
      const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
      const post = (path: string, body: unknown) =>
        fetch(`${edge.users.httpUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const registered = (await (
        await post('/api/users/register', { email, password: PASSWORD })
      ).json()) as {
        id: string;
      };
      await edge.users.deps.pool.query('update users set role = $2 where id = $1', [registered.id, role]);
      const login = (await (await post('/api/users/login', { email, password: PASSWORD })).json()) as {
        accessToken: string;
      };
      tokens[role] = login.accessToken;
    }
    // The edge health-checks the back office before it routes to it.
    const deadline = Date.now() + 30_000;
    while ((await get('/api/backoffice/jobs', tokens.admin)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the edge never routed to the back office');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async () => {
    await backoffice?.close();
    await edge?.close();
    await database?.drop();
  });

  const get = (path: string, token?: string) =>
    fetch(`${edge.edgeUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const post = (path: string, token?: string) =>
    fetch(`${edge.edgeUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: '{}',
    });
  const servedJobLists = async () => {
    const text = await (await fetch(`${backoffice.httpUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('http_server_requests_total{') && line.includes('route="/api/backoffice/jobs"'),
      )
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };

  it('refuses a request without a token at the edge (401)', async () => {
    const response = await get('/api/backoffice/jobs');
    assert.equal(response.status, 401);
  });

  it("refuses a customer's token at the edge (403, problem+json) before the service sees it", async () => {
    const before = await servedJobLists();
    const response = await get('/api/backoffice/jobs', tokens.customer);
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(await servedJobLists(), before);
    const cancel = await post(`/api/backoffice/jobs/${randomUUID()}/cancel`, tokens.customer);
    assert.equal(cancel.status, 403);
  });

  it('lets support read but not change anything', async () => {
    const list = await get('/api/backoffice/jobs', tokens.support);
    assert.equal(list.status, 200);
    assert.deepEqual(((await list.json()) as { items: unknown[] }).items, []);
    const cancel = await post(`/api/backoffice/jobs/${randomUUID()}/cancel`, tokens.support);
    assert.equal(cancel.status, 403);
    assert.match(cancel.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('lets an admin through (a missing job is a 404 from the service)', async () => {
    const cancel = await post(`/api/backoffice/jobs/${randomUUID()}/cancel`, tokens.admin);
    assert.equal(cancel.status, 404);
    assert.equal(((await cancel.json()) as { type: string }).type.endsWith('/job-not-found'), true);
  });

  it('serves its OpenAPI document without a token', async () => {
    const response = await get('/api/backoffice/openapi.json');
    assert.equal(response.status, 200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    assert.ok(document.paths['/api/backoffice/jobs']);
  });
});
