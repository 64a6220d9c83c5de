// A SIGTERM under load: two catalog processes behind a real Envoy (rendered by the operator's
// renderer), steady traffic through the edge, one process terminated in the middle. The terminated
// one reports not-ready, keeps serving through its grace period while the edge's health checks drop
// it, then exits; not one request through the edge fails.
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  createTestDatabase,
  deleteExchange,
  freePort,
  type SpawnedService,
  serviceDir,
  spawnService,
  type TestDatabase,
  testExchangeName,
} from '@shopstack/kit/testing';
import { infraEnv } from '../support/env.js';
import { type RunningEnvoy, startEnvoy } from '../support/envoy.js';
import { eventually } from '../support/process.js';
import { startTestRateLimit, type TestRateLimit } from '../support/ratelimit.js';

const GRACE_MS = 12_000; // what the platform sets: the edge drops a host after two failed 5 s checks
const HOOK_HOLD_SECONDS = 3;

/** The edge's answer on a keep-alive connection, with its Connection header (which fetch hides). */
function edgeGet(url: string, agent: http.Agent): Promise<{ status: number; connection: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode!, connection: response.headers.connection ?? '' }),
        );
      })
      .on('error', reject);
  });
}

/** Requests the catalog process itself answered on the product search, from its own /metrics. */
async function searchesServed(replica: SpawnedService): Promise<number> {
  const text = await (await fetch(`${replica.httpUrl}/metrics`, { headers: { connection: 'close' } })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('http_server_requests_total{') && l.includes('route="/api/catalog/products"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('graceful SIGTERM: two catalog replicas behind the edge', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  const exchange = testExchangeName('graceful.events');
  const replicas: SpawnedService[] = [];
  let envoy: RunningEnvoy | undefined;
  let rateLimit: TestRateLimit | undefined;
  let edgeUrl: string;

  before(async () => {
    database = await createTestDatabase('graceful_catalog');
    const env = {
      DATABASE_URL: database.url,
      AMQP_URL: infraEnv('AMQP_URL'),
      JWKS_URL: `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`,
      EVENTS_EXCHANGE: exchange,
      COMMANDS_EXCHANGE: `${exchange}.commands`,
      ORDER_EVENTS_QUEUE: `${exchange}.order-events`,
      SAGA_COMMANDS_QUEUE: `${exchange}.saga-commands`,
      SHUTDOWN_DRAIN_DELAY_MS: String(GRACE_MS),
    };
    // One after the other, so the second finds the migrations done.
    replicas.push(await spawnService(serviceDir('catalog'), env));
    replicas.push(await spawnService(serviceDir('catalog'), env));
    const nowhere = { host: '127.0.0.1', port: await freePort() };
    const limits = {
      rateLimit: { requestsPerSecond: 1000, burst: 2000 },
      authRateLimit: { requestsPerSecond: 10, burst: 10 },
      userRateLimit: { requestsPerSecond: 1000, burst: 2000 },
    };
    rateLimit = await startTestRateLimit(limits);
    envoy = await startEnvoy({
      upstreams: {
        users: nowhere,
        catalog: replicas.map((r) => ({ host: '127.0.0.1', port: Number(new URL(r.httpUrl).port) })),
        orders: nowhere,
        payments: nowhere,
        notifications: nowhere,
        backoffice: nowhere,
      },
      jwt: { issuer: 'shopstack-users', audiences: ['shopstack'] },
      ...limits,
      rateLimitService: rateLimit.upstream,
      trustedProxyHops: 0,
      requestTimeoutSeconds: 10,
      drainHoldSeconds: HOOK_HOLD_SECONDS,
    });
    edgeUrl = envoy.edgeUrl;
    await eventually(async () => {
      const clusters = await (await fetch(`${envoy!.adminUrl}/clusters`)).text();
      return (clusters.match(/svc_catalog::[^\n]*health_flags::healthy/g) ?? []).length === 2;
    }, 60_000).catch((error) => {
      throw new Error(`${error}\nenvoy output:\n${envoy?.output()}`);
    });
  });

  after(async () => {
    await envoy?.close();
    await rateLimit?.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.drop();
    await deleteExchange(exchange).catch(() => {});
    await deleteExchange(`${exchange}.commands`).catch(() => {});
  });

  it('fails no request through the edge while one replica stops', async () => {
    const [leaving, staying] = replicas as [SpawnedService, SpawnedService];
    const failures: string[] = [];
    let sent = 0;
    let running = true;
    // ~40 requests a second through the edge, four at a time, until told to stop.
    const load = Array.from({ length: 4 }, async () => {
      while (running) {
        sent += 1;
        try {
          const response = await fetch(`${edgeUrl}/api/catalog/products?pageSize=1`);
          await response.arrayBuffer();
          if (response.status !== 200) failures.push(`HTTP ${response.status}`);
        } catch (error) {
          failures.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    await eventually(async () => sent > 40 && (await searchesServed(leaving)) > 0, 30_000);

    const exited = new Promise<number | null>((resolve) =>
      leaving.child.once('exit', (code) => resolve(code)),
    );
    leaving.child.kill('SIGTERM');
    // During the grace period it says not-ready but still answers a new request.
    await eventually(async () => (await fetch(`${leaving.httpUrl}/readyz`)).status === 503, 5_000);
    const direct = await fetch(`${leaving.httpUrl}/api/catalog/products?pageSize=1`, {
      headers: { connection: 'close' },
    });
    assert.equal(direct.status, 200, 'a replica in its grace period still serves new requests');

    assert.equal(await exited, 0, 'the replica exits cleanly after its grace period');
    const stayingBefore = await searchesServed(staying);
    await eventually(async () => (await searchesServed(staying)) > stayingBefore + 20, 30_000);
    running = false;
    await Promise.all(load);

    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
    assert.ok(sent > 200, `load kept going across the stop (${sent} requests)`);
  });

  it('with one replica left, fails nothing until the edge itself stops routing to it', async () => {
    const last = replicas[1]!;
    const refused: string[] = [];
    let sent = 0;
    let noHealthyHost = 0;
    let running = true;
    const load = Array.from({ length: 4 }, async () => {
      while (running) {
        sent += 1;
        const response = await fetch(`${edgeUrl}/api/catalog/products?pageSize=1`).catch(() => undefined);
        const body = (await response?.text()) ?? '';
        // Once its health check sees the 503 on /readyz the edge answers for it ("no healthy
        // upstream"); anything else — a refused or reset connection — is a lost request.
        if (response?.status === 503 && body.includes('no healthy upstream')) noHealthyHost += 1;
        else if (response?.status !== 200) refused.push(`HTTP ${response?.status ?? 'error'} ${body}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    const exited = new Promise<number | null>((resolve) => last.child.once('exit', (code) => resolve(code)));
    last.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    running = false;
    await Promise.all(load);
    assert.ok(sent > 50, `${sent} requests sent`);
    assert.deepEqual(
      refused,
      [],
      `${refused.length} of ${sent} requests were lost (${noHealthyHost} no healthy host)`,
    );
  });

  it("the edge pod's preStop hook has every client connection closed after its next answer, and holds meanwhile", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${edgeUrl}/api/catalog/products?pageSize=1`;
      assert.notEqual((await edgeGet(url, agent)).connection, 'close');
      let hookDone = false;
      const hook = fetch(`${envoy!.opsUrl}/lifecycle/pre-stop`).then(async (response) => {
        hookDone = true;
        return { status: response.status, body: await response.text() };
      });
      // The answers carry `Connection: close` while the hook still holds (the kubelet's SIGTERM waits for it).
      await eventually(async () => (await edgeGet(url, agent)).connection === 'close', 10_000);
      assert.equal(hookDone, false, 'the hook still holds while clients are being moved off');
      assert.deepEqual(await hook, { status: 200, body: 'draining\n' });
    } finally {
      agent.destroy();
    }
  });
});
