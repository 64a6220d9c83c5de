// Real Envoys, configured by the operator's renderer, in front of a real users service and one real
// rate limit service they share. The other services' routes point at a port nobody listens on, so the
// edge sees them as unhealthy.
import { freePort } from '@shopstack/kit/testing';
import type { EnvoyConfigInput } from '@shopstack/operator/envoy';
import type { UsersService } from '@shopstack/users';
import { type RunningEnvoy, startEnvoy } from '../support/envoy.js';
import { eventually } from '../support/process.js';
import { startTestRateLimit, type TestRateLimit } from '../support/ratelimit.js';
import { startTestUsers } from '../support/users.js';

export interface EdgeHarness {
  /** The first edge replica. */
  edgeUrl: string;
  /** Every edge replica, all asking the same rate limit service. */
  edgeUrls: string[];
  users: UsersService;
  rateLimit: TestRateLimit;
  close(): Promise<void>;
}

/** The stricter per-client limit on sign-in routes, small so a test can exhaust it. */
export const AUTH_BURST = 5;

export interface EdgeOptions {
  replicas?: number;
  trustedProxyHops?: number;
  userRateLimit?: EnvoyConfigInput['userRateLimit'];
  /** One figure for both sides: how long Envoy caches the JWKS, and what users is told it is. */
  jwksCacheSeconds?: number;
  /** users' SIGNING_KEY_MARGIN_SECONDS (skew and reload allowance in its key schedule). */
  signingKeyMarginSeconds?: number;
  /** Services to route to besides users (the rest point at a port nobody listens on). */
  upstreams?: Partial<EnvoyConfigInput['upstreams']>;
  tls?: EnvoyConfigInput['tls'];
  corsAllowedOrigins?: readonly string[];
}

export async function startEdge(options: EdgeOptions = {}): Promise<EdgeHarness> {
  const { jwksCacheSeconds, signingKeyMarginSeconds } = options;
  const testUsers = await startTestUsers('edge', {
    ...(jwksCacheSeconds ? { EDGE_JWKS_CACHE_SECONDS: String(jwksCacheSeconds) } : {}),
    ...(signingKeyMarginSeconds ? { SIGNING_KEY_MARGIN_SECONDS: String(signingKeyMarginSeconds) } : {}),
  });
  const users = testUsers.service;
  const limits = {
    rateLimit: { requestsPerSecond: 100, burst: 200 },
    authRateLimit: { requestsPerSecond: 1, burst: AUTH_BURST },
    userRateLimit: options.userRateLimit ?? { requestsPerSecond: 100, burst: 200 },
  };
  const rateLimit = await startTestRateLimit(limits);
  const nowhere = { host: '127.0.0.1', port: await freePort() };
  const envoys: RunningEnvoy[] = [];
  const close = async () => {
    for (const envoy of envoys) await envoy.close();
    await rateLimit.close();
    await testUsers.close();
  };
  for (let replica = 0; replica < (options.replicas ?? 1); replica++) {
    const envoy = await startEnvoy({
      upstreams: {
        users: { host: '127.0.0.1', port: Number(new URL(users.httpUrl).port) },
        catalog: nowhere,
        orders: nowhere,
        payments: nowhere,
        notifications: nowhere,
        backoffice: nowhere,
        ...options.upstreams,
      },
      jwt: {
        issuer: 'shopstack-users',
        audiences: ['shopstack'],
        ...(jwksCacheSeconds ? { jwksCacheSeconds } : {}),
      },
      ...limits,
      rateLimitService: rateLimit.upstream,
      trustedProxyHops: options.trustedProxyHops ?? 0,
      requestTimeoutSeconds: 10,
      tls: options.tls,
      corsAllowedOrigins: options.corsAllowedOrigins,
    });
    envoys.push(envoy);
    // Ready once the users cluster passed its health check: the JWKS answers through the edge (over
    // TLS, where fetch does not know the test CA, the admin interface says so).
    const ready = options.tls
      ? async () =>
          /svc_users::[^\n]*health_flags::healthy/.test(
            await (await fetch(`${envoy.adminUrl}/clusters`)).text(),
          )
      : async () => (await fetch(`${envoy.edgeUrl}/.well-known/jwks.json`)).status === 200;
    await eventually(ready, 60_000).catch(async (error) => {
      const output = envoy.output();
      await close();
      throw new Error(`${error}\nenvoy output:\n${output}`);
    });
  }
  const edgeUrls = envoys.map((envoy) => envoy.edgeUrl);
  return { edgeUrl: edgeUrls[0]!, edgeUrls, users, rateLimit, close };
}

/** How many requests the users service itself answered on a route, read from its own /metrics. */
export async function servedByUsers(edge: EdgeHarness, route: string): Promise<number> {
  const text = await (await fetch(`${edge.users.httpUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('http_server_requests_total{') && line.includes(`route="${route}"`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
