// biome-ignore-all lint/suspicious/noExplicitAny: the tests walk rendered configs and manifests
// The Helm chart as Helm itself sees it: lint, schema-checked values, and what the templates render.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CHART_DIR, clusterEnv, helmTemplate } from '../support/cluster.js';

const run = promisify(execFile);

describe('operator Helm chart', () => {
  it('passes helm lint', async () => {
    const { stdout } = await run(clusterEnv().helmBin, ['lint', CHART_DIR]);
    assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('refuses values that break values.schema.json', async () => {
    const attempt = (value: string) =>
      run(clusterEnv().helmBin, ['template', 'x', CHART_DIR, '--set', value]).then(
        () => '',
        (error: { stderr: string }) => error.stderr,
      );
    assert.match(await attempt('replicaCount=-1'), /replicaCount/);
    assert.match(await attempt('logLevel=loud'), /logLevel/);
    assert.match(await attempt('shard=Not_A_Label'), /shard/);
  });

  it('runs the operator as its ServiceAccount with leader election settings and probes', async () => {
    const objects = await helmTemplate('shopstack', 'shop-system', ['shard=canary']);
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: { spec: { serviceAccountName: string; containers: Record<string, any>[] } };
      };
    };
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.spec.template.spec.serviceAccountName, 'shopstack-shopstack-operator');
    const container = deployment.spec.template.spec.containers[0]!;
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value?: string }) => [e.name, e.value]),
    );
    assert.equal(env.LEASE_NAME, 'shopstack-shopstack-operator');
    assert.equal(env.SHARD, 'canary');
    assert.ok(
      container.env.some(
        (e: { name: string; valueFrom?: unknown }) => e.name === 'POD_NAMESPACE' && e.valueFrom,
      ),
    );
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  });

  it('grants Secrets only for the certificates it issues, and no update of ShopDeployment specs', async () => {
    const objects = await helmTemplate('shopstack', 'shop-system');
    const rules = objects
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap(
        (o) =>
          (o as unknown as { rules: { resources: string[]; verbs: string[]; resourceNames?: string[] }[] })
            .rules,
      );
    // The services' CA and certificates are Secrets it writes by server-side apply (never `update`).
    const secretRules = rules.filter((r) => r.resources.includes('secrets'));
    assert.deepEqual(
      secretRules.map((r) => r.verbs),
      [['get', 'list', 'watch', 'create', 'patch', 'delete']],
    );
    assert.ok(!rules.some((r) => r.resources.includes('*') || r.verbs.includes('*')));
    const specRule = rules.find((r) => r.resources.includes('shopdeployments'));
    assert.deepEqual(specRule?.verbs, ['get', 'list', 'watch']);
    const lease = rules.find((r) => r.resources.includes('leases') && r.resourceNames);
    assert.deepEqual(lease?.resourceNames, ['shopstack-shopstack-operator']);
  });
});
