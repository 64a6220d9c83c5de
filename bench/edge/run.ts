// Edge benchmark: what the edge costs. The same client at the same concurrency calls, in one run:
//   1. the users service directly (the baseline),
//   2. a bare Envoy in front of it (one route, no filters: the proxy hop alone),
//   3. the shop's edge as the operator renders it: JWT verification against the JWKS, the per-client
//      local limit and the global rate limit service on Redis (limits high enough that nothing is
//      refused, checked below),
// for an authenticated GET /api/users/me and the public GET /.well-known/jwks.json, and prints
// throughput, p50 / p99, the ratio and the added latency, and the memory Envoy holds.
// Talks only to 127.0.0.1.
//
//   npm run infra -- up postgres rabbitmq redis envoy
//   node --import tsx --conditions shopstack-source bench/edge/run.ts [seconds-per-measurement] [concurrency]
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@shopstack/kit/testing';
import { infraEnv } from '../../test/support/env.js';
import { startEnvoy } from '../../test/support/envoy.js';
import { eventually, start } from '../../test/support/process.js';
import { startTestRateLimit } from '../../test/support/ratelimit.js';
import { startTestUsers } from '../../test/support/users.js';
import { type Figures, measure, printFigures } from '../support/timing.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 16);
// Far above what one client can send: the limits are in the path but refuse nothing.
const limits = {
  rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
  authRateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
  userRateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
};

/** One route to users and nothing else: the cost of the proxy hop without the edge's filters. */
function bareEnvoyConfig(listenPort: number, adminPort: number, users: { host: string; port: number }) {
  return JSON.stringify({
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort } } },
    static_resources: {
      listeners: [
        {
          name: 'bare',
          address: { socket_address: { address: '127.0.0.1', port_value: listenPort } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'bare',
                    route_config: {
                      virtual_hosts: [
                        {
                          name: 'all',
                          domains: ['*'],
                          routes: [{ match: { prefix: '/' }, route: { cluster: 'users' } }],
                        },
                      ],
                    },
                    http_filters: [
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                        },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: 'users',
          type: 'STATIC',
          connect_timeout: '1s',
          load_assignment: {
            cluster_name: 'users',
            endpoints: [
              {
                lb_endpoints: [
                  {
                    endpoint: {
                      address: { socket_address: { address: users.host, port_value: users.port } },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  });
}

/** Envoy's own account of its memory (admin /memory): bytes allocated and the heap it reserved. */
async function envoyMemory(adminUrl: string): Promise<string> {
  const memory = (await (await fetch(`${adminUrl}/memory`)).json()) as {
    allocated: string;
    heap_size: string;
  };
  const mib = (bytes: string) => (Number(bytes) / 1024 / 1024).toFixed(1);
  return `${mib(memory.allocated)} MiB allocated, ${mib(memory.heap_size)} MiB heap`;
}

const users = await startTestUsers('bench_edge');
const rateLimit = await startTestRateLimit(limits);
const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-edge-'));
const usersUpstream = { host: '127.0.0.1', port: Number(new URL(users.service.httpUrl).port) };
const nowhere = { host: '127.0.0.1', port: await freePort() };
const edge = await startEnvoy({
  upstreams: {
    users: usersUpstream,
    catalog: nowhere,
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
});
const [bareEnvoyPort, bareAdminPort] = [await freePort(), await freePort()];
await writeFile(path.join(dir, 'bare.json'), bareEnvoyConfig(bareEnvoyPort, bareAdminPort, usersUpstream));
const bare = start(infraEnv('ENVOY_BIN'), [
  '-c',
  path.join(dir, 'bare.json'),
  '--disable-hot-restart',
  '--log-level',
  'warn',
]);
const bareUrl = `http://127.0.0.1:${bareEnvoyPort}`;

try {
  await eventually(async () => (await fetch(`${edge.edgeUrl}/.well-known/jwks.json`)).status === 200, 60_000);
  await eventually(async () => (await fetch(`${bareUrl}/.well-known/jwks.json`)).status === 200, 60_000);
  const email = `bench.${Date.now()}@example.test`;
  const password = 'correct horse battery staple';
  await fetch(`${users.service.httpUrl}/api/users/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const login = await fetch(`${users.service.httpUrl}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${accessToken}` };

  let refused = 0;
  const call =
    (url: string, headers: Record<string, string> = {}) =>
    async () => {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) refused++;
    };
  const run = (url: string, headers?: Record<string, string>) =>
    measure(call(url, headers), { seconds, concurrency });

  console.log(
    `edge benchmark — ${os.availableParallelism()} cores, ${seconds}s per measurement, concurrency ${concurrency}`,
  );
  console.log(
    `Envoy memory at start: edge ${await envoyMemory(edge.adminUrl)}; bare ${await envoyMemory(`http://127.0.0.1:${bareAdminPort}`)}`,
  );
  const rows: [string, Figures, string?][] = [];
  const compare = (label: string, direct: Figures, through: Figures) =>
    `${(through.perSecond / direct.perSecond).toFixed(2)}× of ${label}, p99 +${(through.p99Ms - direct.p99Ms).toFixed(2)} ms`;
  for (const [name, route, headers] of [
    ['GET /api/users/me (token)', '/api/users/me', auth],
    ['GET /.well-known/jwks.json (public)', '/.well-known/jwks.json', {}],
  ] as const) {
    // Warm each path (connections, the JWKS cache), then measure.
    for (const base of [users.service.httpUrl, bareUrl, edge.edgeUrl])
      await measure(call(`${base}${route}`, headers), { seconds: 1, concurrency });
    refused = 0;
    const direct = await run(`${users.service.httpUrl}${route}`, headers);
    const viaBare = await run(`${bareUrl}${route}`, headers);
    const viaEdge = await run(`${edge.edgeUrl}${route}`, headers);
    // The baseline again, last: how far two measurements of the same thing differ on this machine.
    const directAgain = await run(`${users.service.httpUrl}${route}`, headers);
    rows.push(
      [`${name}: service directly (baseline)`, direct],
      [`${name}: bare Envoy`, viaBare, compare('direct', direct, viaBare)],
      [
        `${name}: edge (JWT, rate limits)`,
        viaEdge,
        `${compare('direct', direct, viaEdge)}; ${compare('bare', viaBare, viaEdge)}`,
      ],
      [`${name}: service directly again`, directAgain, compare('the first baseline', direct, directAgain)],
    );
    if (refused > 0) console.log(`  warning: ${refused} calls of ${name} were not 200 (limits too low?)`);
  }
  printFigures('edge cost', rows);
  console.log(
    `\nEnvoy memory after the run: edge ${await envoyMemory(edge.adminUrl)}; bare ${await envoyMemory(`http://127.0.0.1:${bareAdminPort}`)}`,
  );
} finally {
  bare.kill('SIGTERM');
  await edge.close();
  await rateLimit.close();
  await users.close();
  await rm(dir, { recursive: true, force: true });
}
