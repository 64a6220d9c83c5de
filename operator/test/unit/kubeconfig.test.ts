// The operator finds its API server and credentials through @kubernetes/client-node's KubeConfig, so
// exec credential plugins and token files work as they do for kubectl; its requests share one pool of
// keep-alive connections instead of the new connection client-node would open for each.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

async function authenticated(file: string) {
  const config = loadKubeConfig(file);
  const request = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  await config.applySecurityAuthentication(request);
  return { config, request };
}

describe('kubeconfig loading (client-node KubeConfig)', () => {
  it('runs an exec credential plugin and sends its token', async () => {
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'from-the-plugin' },
    });
    const file = kubeconfig({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
        interactiveMode: 'Never',
      },
    });
    const { config, request } = await authenticated(file);
    assert.equal(config.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(request.getHeaders().Authorization, 'Bearer from-the-plugin');
  });

  it('sends a static token', async () => {
    const { request } = await authenticated(kubeconfig({ token: 'static' }));
    assert.equal(request.getHeaders().Authorization, 'Bearer static');
  });

  it('gives every request the same connections', async () => {
    const file = kubeconfig({ token: 'static' }, { 'insecure-skip-tls-verify': true });
    const config = loadKubeConfig(file);
    const requests = [1, 2].map(
      () => new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET),
    );
    for (const request of requests) await config.applySecurityAuthentication(request);
    const [first, second] = requests.map((request) => request.getDispatcher());
    assert.ok(first, 'a dispatcher with the TLS settings');
    assert.equal(second, first);
    await config.close();
  });

  it('refuses a kubeconfig whose context names no cluster', () => {
    const file = kubeconfig({ token: 'static' });
    writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'none' }));
    assert.throws(() => loadKubeConfig(file), /has no cluster/);
  });
});
