// Writes the edge configuration for local runs with the same renderer the operator uses in a cluster:
//
//   npm run render-envoy -w @shopstack/operator -- [--users 127.0.0.1:8101] [--catalog ...] \
//     [--orders ...] [--payments ...] [--notifications ...] [--backoffice ...] [--web 127.0.0.1:8088] [--ratelimit 127.0.0.1:8091] \
//     [--trusted-proxy-hops 0] [--port 8080] [--ops-port 9902] [--admin-port 9901] [--issuer shopstack-users] [--audience shopstack] \
//     [--otlp 127.0.0.1:4317] [--cors-origin http://localhost:8080 ...] [--out envoy/envoy.local.yaml]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SHOP_SERVICES, type ShopService } from '../api/constants.js';
import { PLATFORM_SERVICES, WEB_SERVICE } from '../platform/services.js';
import { renderEnvoyYaml, type Upstream } from '../render/envoy/index.js';
import { LOCAL_LIMITS } from './local-limits.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function upstream(flag: string, value: string | undefined): Upstream {
  const match = /^([^:]+):(\d+)$/.exec(value ?? '');
  if (!match) throw new Error(`--${flag} must be host:port, got ${JSON.stringify(value)}`);
  return { host: match[1]!, port: Number(match[2]) };
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--${flag} must be a port number`);
  return n;
}

function hops(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10) throw new Error('--trusted-proxy-hops must be 0..10');
  return n;
}

const { values } = parseArgs({
  options: {
    ...Object.fromEntries(SHOP_SERVICES.map((s) => [s, { type: 'string' as const }])),
    port: { type: 'string', default: '8080' },
    'ops-port': { type: 'string', default: '9902' },
    'admin-port': { type: 'string', default: '9901' },
    issuer: { type: 'string', default: 'shopstack-users' },
    audience: { type: 'string', multiple: true, default: ['shopstack'] },
    // The web app's service (npm start runs it on 8088).
    web: { type: 'string', default: `127.0.0.1:${WEB_SERVICE.local.httpPort}` },
    // The rate limit service's gRPC address (npm start runs it on 8091).
    ratelimit: { type: 'string', default: '127.0.0.1:8091' },
    'trusted-proxy-hops': { type: 'string', default: '0' },
    out: { type: 'string', default: 'envoy/envoy.local.yaml' },
    /** host:port of an OTLP/gRPC collector; the edge then starts a trace per request. */
    otlp: { type: 'string' },
    /** A browser origin allowed to call the API cross-origin (repeat for more); none by default. */
    'cors-origin': { type: 'string', multiple: true, default: [] },
  },
});

const upstreams = Object.fromEntries(
  SHOP_SERVICES.map((service) => [
    service,
    // Default: the service as `npm start` runs it on this machine.
    upstream(
      service,
      ((values as Record<string, unknown>)[service] as string | undefined) ??
        `127.0.0.1:${PLATFORM_SERVICES[service].local.httpPort}`,
    ),
  ]),
) as Record<ShopService, Upstream>;

const yaml = renderEnvoyYaml({
  bindAddress: '127.0.0.1',
  listenPort: port('port', values.port as string),
  opsPort: port('ops-port', values['ops-port'] as string),
  adminPort: port('admin-port', values['admin-port'] as string),
  upstreams,
  web: upstream('web', values.web as string),
  jwt: { issuer: values.issuer as string, audiences: values.audience as string[] },
  ...LOCAL_LIMITS,
  rateLimitService: upstream('ratelimit', values.ratelimit as string),
  trustedProxyHops: hops(values['trusted-proxy-hops'] as string),
  requestTimeoutSeconds: 15,
  tracing: values.otlp ? { collector: upstream('otlp', values.otlp), serviceName: 'edge' } : undefined,
  corsAllowedOrigins: values['cors-origin'] as string[],
  // Plain HTTP, on loopback only: the local platform says so here; a cluster's edge speaks TLS.
  tls: undefined,
});
const out = resolve(repoRoot, values.out as string);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, yaml);
console.log(`wrote ${out}`);
