// The operator finds its API server and credentials through @kubernetes/client-node's KubeConfig, so
// exec credential plugins and token files work as they do for kubectl.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fromKubeconfig } from '../../src/kube/kubeconfig.js';

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
  return { dir, file };
}

async function authenticated(file: string) {
  const request: https.RequestOptions = { headers: { Accept: 'application/json' } };
  const access = fromKubeconfig(file);
  await access.authenticate(request);
  return { access, request };
}

describe('kubeconfig loading (client-node KubeConfig)', () => {
  it('runs an exec credential plugin and sends its token', async () => {
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'from-the-plugin' },
    });
    const { file } = kubeconfig({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
        interactiveMode: 'Never',
      },
    });
    const { access, request } = await authenticated(file);
    assert.equal(access.server, 'https://127.0.0.1:6443');
    assert.equal((request.headers as Record<string, string>).Authorization, 'Bearer from-the-plugin');
    assert.equal((request.headers as Record<string, string>).Accept, 'application/json');
    assert.equal(request.rejectUnauthorized, true, 'TLS is verified unless the kubeconfig says otherwise');
  });

  it('sends a static token, and skips TLS verification only when asked to', async () => {
    const { file } = kubeconfig({ token: 'static' }, { 'insecure-skip-tls-verify': true });
    const { request } = await authenticated(file);
    assert.equal((request.headers as Record<string, string>).Authorization, 'Bearer static');
    assert.equal(request.rejectUnauthorized, false);
  });
});
