import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@shopstack/kit/testing';
import { infraEnv } from '../support/env.js';
import { eventually, run, start } from '../support/process.js';

function proxyConfig(listenPort: number, adminPort: number, upstreamPort: number): string {
  return `
admin:
  address: { socket_address: { address: 127.0.0.1, port_value: ${adminPort} } }
static_resources:
  listeners:
    - name: edge
      address: { socket_address: { address: 127.0.0.1, port_value: ${listenPort} } }
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: edge
                route_config:
                  virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                        - match: { prefix: "/api/echo" }
                          route: { cluster: echo, timeout: 5s }
                http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
    - name: echo
      type: STATIC
      connect_timeout: 1s
      load_assignment:
        cluster_name: echo
        endpoints:
          - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${upstreamPort} } } }
`;
}

describe('infrastructure: Envoy', function () {
  this.timeout(60_000);
  const envoy = infraEnv('ENVOY_BIN');
  let dir: string;
  let upstream: http.Server;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'envoy-test-'));
    upstream = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, via: req.headers['x-forwarded-proto'] ?? null }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    upstream.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates a good config and rejects a broken one', async () => {
    const good = path.join(dir, 'good.yaml');
    await writeFile(good, proxyConfig(10000, 10001, 10002));
    const ok = await run(envoy, ['--mode', 'validate', '-c', good, '--disable-hot-restart']);
    assert.equal(ok.code, 0, ok.stderr);

    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, proxyConfig(10000, 10001, 10002).replace('cluster: echo', 'cluster: nowhere'));
    const rejected = await run(envoy, ['--mode', 'validate', '-c', bad, '--disable-hot-restart']);
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.stdout + rejected.stderr, /unknown cluster 'nowhere'/);
  });

  it('proxies a request to an upstream', async () => {
    const [listen, admin] = [await freePort(), await freePort()];
    const config = path.join(dir, 'proxy.yaml');
    await writeFile(config, proxyConfig(listen, admin, (upstream.address() as AddressInfo).port));
    const proxy = start(envoy, ['-c', config, '--disable-hot-restart', '--log-level', 'warn']);
    try {
      const body = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${listen}/api/echo/hello`);
        return response.status === 200 ? await response.json() : undefined;
      }, 30_000).catch((error) => {
        throw new Error(`${error}\nenvoy output:\n${proxy.output()}`);
      });
      assert.deepEqual(body, { path: '/api/echo/hello', via: 'http' });

      const unrouted = await fetch(`http://127.0.0.1:${listen}/elsewhere`);
      assert.equal(unrouted.status, 404);
    } finally {
      proxy.kill('SIGTERM');
    }
  });
});
