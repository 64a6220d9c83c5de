import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';

describe('infrastructure: Kubernetes API server with kwok', function () {
  this.timeout(120_000);
  const config = new k8s.KubeConfig();
  config.loadFromFile(infraEnv('KUBECONFIG'));
  const core = config.makeApiClient(k8s.CoreV1Api);
  const apps = config.makeApiClient(k8s.AppsV1Api);
  const namespace = uniqueName('infra');

  before(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  after(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  it('rolls a Deployment out until it is Available on the kwok node', async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'registry.invalid/web:1' }],
              tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
            },
          },
        },
      },
    });

    const deployment = await eventually(async () => {
      const current = await apps.readNamespacedDeployment({ name: 'web', namespace });
      const available = current.status?.conditions?.find((c) => c.type === 'Available');
      return available?.status === 'True' && current.status?.readyReplicas === 2 ? current : undefined;
    }, 90_000);
    assert.equal(deployment.status?.availableReplicas, 2);

    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    assert.equal(pods.items.length, 2);
    for (const pod of pods.items) {
      assert.equal(pod.spec?.nodeName, 'kwok-node-0');
      assert.equal(pod.status?.phase, 'Running');
    }
  });

  it('enforces RBAC: an unknown bearer token is refused', async () => {
    const stranger = new k8s.KubeConfig();
    stranger.loadFromOptions({
      clusters: [{ name: 'local', server: config.getCurrentCluster()!.server, skipTLSVerify: true }],
      users: [{ name: 'nobody', token: 'not-a-valid-token' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'nobody' }],
      currentContext: 'local',
    });
    const api = stranger.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(
      api.listNamespacedPod({ namespace }),
      (error: { code?: number }) => error.code === 401,
    );
  });
});
