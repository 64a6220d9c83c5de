// The operator loads client-node's KubeConfig without its generated API (scripts/gen-kube-config.mjs):
// in a process of its own, a guard hook fails any import of a generated model, API, of client-node's
// index or of its config.js, while the operator's whole module graph loads and a KubeConfig
// authenticates with an exec plugin.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SRC = new URL('../../src/', import.meta.url);

const GUARD = `
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/@kubernetes\\/client-node\\/dist\\/(index\\.js|api\\.js|config\\.js|gen\\/(index\\.js|models\\/|apis\\/|types\\/))/.test(resolved.url))
    throw new Error('generated API loaded: ' + resolved.url + ' from ' + context.parentURL);
  return resolved;
}`;

function script(kubeconfig: string): string {
  return `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(GUARD)}));
await import(${JSON.stringify(new URL('operator.ts', SRC).href)});
const { loadKubeConfig } = await import(${JSON.stringify(new URL('kube/kubeconfig.ts', SRC).href)});
const { RequestContext } = await import('@kubernetes/client-node/dist/gen/http/http.js');
const config = loadKubeConfig(${JSON.stringify(kubeconfig)});
const request = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', 'GET');
await config.applySecurityAuthentication(request);
console.log(JSON.stringify({ authorization: request.getHeaders().Authorization }));
`;
}

describe('client-node without its generated API', () => {
  it('loads the operator and authenticates with an exec plugin, never importing a generated model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-config-'));
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'from-the-plugin' },
    });
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    // Evaluated in the operator's folder, so it resolves packages as the operator does.
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions',
        'shopstack-source',
        '--input-type=module',
        '-e',
        script(kubeconfig),
      ],
      { cwd: new URL('../../', import.meta.url).pathname },
    );
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), {
      authorization: 'Bearer from-the-plugin',
    });
  });
});
