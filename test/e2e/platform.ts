// The platform behind an edge. With EDGE_URL set (a kind cluster, or a running `npm start`), the
// tests use that edge and the admin named by E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD (the demo admin
// by default). Without it, they start users, catalog, payments and orders as processes and put a
// real Envoy, rendered by the operator's renderer, in front of them, with notifications sending to the
// local Mailpit (MAILPIT_URL in either case) and the back office's admin API (its `api` role only:
// no job runner, no event consumer, so it costs one process and one small database; with
// `backofficeWorker`, its worker too). With `web`, the web app's service runs too and the edge
// serves it at / (the app must have been built: npm run build -w @shopstack/web).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, freePort, requireEnv, serviceDir, spawnService } from '@shopstack/kit/testing';
import { type EnvoyConfigInput, renderEnvoyYaml } from '@shopstack/operator/envoy';
import { backofficePeersEnv, startShopProcesses } from '../checkout/support/shop.js';
import { infraEnv } from '../support/env.js';
import { eventually, start } from '../support/process.js';
import { startTestRateLimit } from '../support/ratelimit.js';

type PlatformService = 'users' | 'catalog' | 'orders' | 'payments' | 'notifications' | 'backoffice';

export interface Platform {
  edgeUrl: string;
  admin: { email: string; password: string };
  /** Each service's own HTTP address, when the platform was started here (not with EDGE_URL). */
  services?: Record<PlatformService, string>;
  /** Each service's gRPC address, when the platform was started here. */
  grpc?: Record<Exclude<PlatformService, 'backoffice'>, string>;
  /** Where Prometheus scrapes the edge and the rate limit service, when started here. */
  scrape?: { edgeOps: string; rateLimit: string };
  stop(): Promise<void>;
}

const appointRoleCli = fileURLToPath(
  new URL('../../services/users/src/cli/appoint-role.ts', import.meta.url),
);

export interface PlatformOptions {
  /** Export every service's and the edge's spans over OTLP (HTTP for services, gRPC for Envoy). */
  tracing?: { otlpHttpUrl: string; otlpGrpcAddress: string };
  /** Given to every service process (e.g. a shorter RECONCILE_INTERVAL_MS for payments). */
  env?: Record<string, string>;
  /** Edge limits other than the defaults below (the local buckets and the global service alike). */
  limits?: Partial<Pick<EnvoyConfigInput, 'rateLimit' | 'authRateLimit' | 'userRateLimit'>>;
  /** Run the web app's service behind the edge at `/` too. */
  web?: boolean;
  /** Run the back office's worker too (its `all` role: reports, scheduled rules, the reporting store). */
  backofficeWorker?: boolean;
}

export async function platform(options: PlatformOptions = {}): Promise<Platform> {
  if (process.env.EDGE_URL) {
    return {
      edgeUrl: process.env.EDGE_URL,
      admin: {
        email: process.env.E2E_ADMIN_EMAIL ?? 'admin@shopstack.test',
        password: process.env.E2E_ADMIN_PASSWORD ?? 'keeper of the shop 2026',
      },
      stop: async () => {},
    };
  }
  const [listenPort, opsPort, adminPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const edgeUrl = `http://127.0.0.1:${listenPort}`;
  const { tracing } = options;
  const shop = await startShopProcesses({
    withNotifications: { publicUrl: edgeUrl },
    env: {
      ...options.env,
      ...(tracing
        ? {
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${tracing.otlpHttpUrl}/v1/traces`,
            // Export within half a second rather than the SDK's 5 s, so a test sees its trace soon.
            OTEL_BSP_SCHEDULE_DELAY: '500',
          }
        : {}),
    },
  });
  const port = (url: string) => ({ host: '127.0.0.1', port: Number(new URL(url).port) });
  const limits = {
    rateLimit: { requestsPerSecond: 200, burst: 400 },
    authRateLimit: { requestsPerSecond: 20, burst: 40 },
    userRateLimit: { requestsPerSecond: 200, burst: 400 },
    ...options.limits,
  };
  const backofficeDb = await createTestDatabase('e2e_backoffice');
  const [rateLimit, web, backoffice] = await Promise.all([
    startTestRateLimit(limits),
    options.web ? spawnService(serviceDir('web'), {}) : undefined,
    // Its settings as the operator gives them (operator/src/platform/services.ts: a PostgreSQL store,
    // the broker, every other service as a gRPC peer), in the role that serves the admin API.
    spawnService(serviceDir('backoffice'), {
      ...options.env,
      BACKOFFICE_ROLE: options.backofficeWorker ? 'all' : 'api',
      DATABASE_URL: backofficeDb.url,
      AMQP_URL: requireEnv('AMQP_URL'),
      ...backofficePeersEnv(shop),
    }),
  ]).catch(async (error) => {
    await shop.stop();
    await backofficeDb.drop();
    throw error;
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'e2e-edge-'));
  const config = path.join(dir, 'envoy.yaml');
  await writeFile(
    config,
    renderEnvoyYaml({
      bindAddress: '127.0.0.1',
      listenPort,
      opsPort,
      adminPort,
      upstreams: {
        users: port(shop.users.httpUrl),
        catalog: port(shop.catalog.httpUrl),
        orders: port(shop.orders.httpUrl),
        payments: port(shop.payments.httpUrl),
        notifications: port(shop.notifications!.httpUrl),
        backoffice: port(backoffice.httpUrl),
      },
      web: web && port(web.httpUrl),
      jwt: { issuer: 'shopstack-users', audiences: ['shopstack'] },
      ...limits,
      rateLimitService: rateLimit.upstream,
      trustedProxyHops: 0,
      requestTimeoutSeconds: 15,
      tracing: tracing && {
        collector: {
          host: tracing.otlpGrpcAddress.split(':')[0]!,
          port: Number(tracing.otlpGrpcAddress.split(':')[1]),
        },
        serviceName: 'edge',
      },
    }),
  );
  const envoy = start(infraEnv('ENVOY_BIN'), ['-c', config, '--disable-hot-restart', '--log-level', 'warn']);
  const stop = async () => {
    envoy.kill('SIGTERM');
    await web?.stop();
    await backoffice.stop();
    await rateLimit.close();
    await shop.stop();
    await backofficeDb.drop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Ready when every routed service passed the edge's health checks.
    await eventually(async () => {
      const stats = await (await fetch(`http://127.0.0.1:${adminPort}/clusters`)).text();
      const routed = [
        'users',
        'catalog',
        'orders',
        'payments',
        'notifications',
        'backoffice',
        ...(web ? ['web'] : []),
      ];
      return routed.every((s) => new RegExp(`svc_${s}::[^\\n]*health_flags::healthy`).test(stats));
    }, 60_000);
    const admin = { email: `admin.${Date.now()}@example.test`, password: 'keeper of the shop 2026' };
    await fetch(`${edgeUrl}/api/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions', 'shopstack-source', appointRoleCli, admin.email, 'admin'],
      { env: { ...process.env, DATABASE_URL: shop.usersDb.url } },
    );
    const services = {
      users: shop.users.httpUrl,
      catalog: shop.catalog.httpUrl,
      orders: shop.orders.httpUrl,
      payments: shop.payments.httpUrl,
      notifications: shop.notifications!.httpUrl,
      backoffice: backoffice.httpUrl,
    };
    const scrape = { edgeOps: `127.0.0.1:${opsPort}`, rateLimit: new URL(rateLimit.httpUrl).host };
    const grpc = {
      users: shop.users.grpcAddress!,
      catalog: shop.catalog.grpcAddress!,
      orders: shop.orders.grpcAddress!,
      payments: shop.payments.grpcAddress!,
      notifications: shop.notifications!.grpcAddress!,
    };
    return { edgeUrl, admin, services, grpc, scrape, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error}\nenvoy output:\n${envoy.output()}`);
  }
}

export interface EdgeReply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary JSON replies
  body: any;
}

/** One call through the edge as a client makes it: JSON in and out, a bearer token, an idempotency key. */
export async function callEdge(
  edgeUrl: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  key?: string,
): Promise<EdgeReply> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  const response = await fetch(`${edgeUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
