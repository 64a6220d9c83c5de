// The real worker node (`npm run infra -- up node`): pods run in containerd on the shopstack bridge,
// become Ready by their real HTTP probes, resolve each other through the cluster DNS and are reached
// from this machine through a kube-proxy ClusterIP Service. kwok's node keeps everything that does
// not ask for the real one.
import assert from 'node:assert/strict';
import http from 'node:http';
import * as k8s from '@kubernetes/client-node';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';

// A web server in a ConfigMap, so the test needs no image of its own: ready only once it has answered
// a liveness probe, and able to look a name up through the pod's DNS.
const SERVER = `
const http = require('node:http');
const dns = require('node:dns').promises;
const os = require('node:os');
let live = false;
http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://pod');
  if (url.pathname === '/healthz') { live = true; res.end('ok'); return; }
  if (url.pathname === '/readyz') { res.statusCode = live ? 200 : 503; res.end(); return; }
  if (url.pathname === '/resolve') {
    // lookup (getaddrinfo) applies the pod's search domains, as the services' clients do.
    try { res.end(JSON.stringify((await dns.lookup(url.searchParams.get('name'), { all: true, family: 4 })).map((a) => a.address))); }
    catch (error) { res.statusCode = 502; res.end(String(error.code)); }
    return;
  }
  res.end(os.hostname());
}).listen(8080, '0.0.0.0');
`;

/** One request on a new connection each time, so kube-proxy picks a backend for every one. */
function getOnce(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 2000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 ? body : undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

describe('infrastructure: the real Kubernetes node', function () {
  this.timeout(180_000);
  const config = new k8s.KubeConfig();
  config.loadFromFile(infraEnv('KUBECONFIG'));
  const core = config.makeApiClient(k8s.CoreV1Api);
  const apps = config.makeApiClient(k8s.AppsV1Api);
  const namespace = uniqueName('node');
  let nodeName: string;

  before(async () => {
    nodeName = infraEnv('KUBE_NODE_NAME');
    const baseImage = infraEnv('NODE_BASE_IMAGE');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'web' }, data: { 'server.js': SERVER } },
    });
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              nodeSelector: { 'shopstack.io/node': 'real' },
              tolerations: [
                { key: 'shopstack.io/node', operator: 'Equal', value: 'real', effect: 'NoSchedule' },
              ],
              securityContext: { runAsNonRoot: true, runAsUser: 65532 },
              containers: [
                {
                  name: 'web',
                  image: baseImage,
                  imagePullPolicy: 'Never',
                  command: ['node', '/srv/server.js'],
                  ports: [{ name: 'http', containerPort: 8080 }],
                  livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
                  readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 1 },
                  securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                  volumeMounts: [{ name: 'code', mountPath: '/srv' }],
                },
              ],
              volumes: [{ name: 'code', configMap: { name: 'web' } }],
            },
          },
        },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web-pods' },
        spec: { clusterIP: 'None', selector: labels, ports: [{ port: 8080 }] },
      },
    });
  });

  after(async () => {
    if (nodeName) await core.deleteNamespace({ name: namespace });
  });

  const readyPods = () =>
    eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      const ready = pods.items.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === 2 ? ready : undefined;
    }, 120_000);

  it('runs the pods on the real node, Ready by their HTTP probes', async () => {
    const pods = await readyPods();
    for (const pod of pods) {
      assert.equal(pod.spec?.nodeName, nodeName);
      assert.match(pod.status?.podIP ?? '', /^10\.77\.0\.\d+$/);
      assert.equal(pod.status?.containerStatuses?.[0]?.ready, true);
    }
  });

  it('serves this machine through a ClusterIP Service, from both pods', async () => {
    const pods = await readyPods();
    const service = await core.readNamespacedService({ name: 'web', namespace });
    const seen = new Set<string>();
    await eventually(async () => {
      const body = await getOnce(`http://${service.spec?.clusterIP}/`);
      if (body) seen.add(body);
      return seen.size === 2 || undefined;
    }, 60_000);
    assert.deepEqual([...seen].sort(), pods.map((p) => p.metadata?.name).sort());
  });

  it('resolves Services through the cluster DNS inside a pod', async () => {
    const pods = await readyPods();
    const expected = pods.map((p) => p.status?.podIP).sort();
    // A pod's readiness reaches the headless Service's EndpointSlice, and from there CoreDNS, a moment
    // after the pod reports Ready: the answer is awaited until it lists both, and compared after.
    let addresses: string[] = [];
    await eventually(async () => {
      const answer = await fetch(`http://${pods[0]?.status?.podIP}:8080/resolve?name=web-pods`);
      assert.equal(answer.status, 200, await answer.clone().text());
      addresses = ((await answer.json()) as string[]).sort();
      if (addresses.length !== expected.length) throw new Error(`DNS answered ${addresses.join(', ')}`);
      return true;
    }, 30_000);
    assert.deepEqual(addresses, expected);
  });

  it('keeps pods that do not ask for the real node off it', async () => {
    const node = await core.readNode({ name: nodeName });
    assert.ok(node.spec?.taints?.some((t) => t.key === 'shopstack.io/node' && t.effect === 'NoSchedule'));
    assert.equal(node.metadata?.labels?.['shopstack.io/node'], 'real');
  });
});
