// The operator survives its API server going away: watches break, requests fail, and once the server
// is back the informers relist / rewatch and the operator catches up with what changed meanwhile.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  getObject,
  type InstalledChart,
  installChart,
  kubectl,
  serviceAccountKubeconfig,
  suffix,
} from '../support/cluster.js';
import { smallShopObject } from '../support/fixtures.js';
import { OperatorProcess } from '../support/operator-process.js';
import { PrivateApiServer } from '../support/private-apiserver.js';

describe('operator across an API server restart', function () {
  this.timeout(240_000);
  let chart: InstalledChart;
  let apiserver: PrivateApiServer;
  let operator: OperatorProcess;
  let dir: string;
  let ns: string;
  const replicasOf = async (name: string) =>
    (
      (await getObject(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)) as
        | { spec: { replicas: number } }
        | undefined
    )?.spec.replicas;

  before(async () => {
    ns = `op-restart-${suffix()}`;
    dir = mkdtempSync(join(tmpdir(), 'operator-restart-'));
    chart = await installChart(ns);
    apiserver = await PrivateApiServer.start();
    const kubeconfig = await serviceAccountKubeconfig(chart, dir, apiserver.url);
    operator = await OperatorProcess.start({
      kubeconfig,
      namespace: ns,
      leaseName: chart.fullname,
      identity: `restart-${ns}`,
      shard: ns,
      // Long enough that the leader keeps its lease through the outage instead of exiting.
      env: { LEASE_DURATION_SECONDS: '120', RENEW_DEADLINE_SECONDS: '100', RETRY_PERIOD_SECONDS: '2' },
    });
  });

  after(async () => {
    await operator?.stop();
    await apiserver?.destroy();
    await chart?.uninstall();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('catches up with changes made while its API server was down', async () => {
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(smallShopObject('small', ns, 1)));
    await eventually('orders at 1 replica', async () => (await replicasOf('small-orders')) === 1);

    await apiserver.stop();
    // Through the shared API server (same etcd): changes the operator cannot see right now.
    await kubectl([
      'patch',
      'shop',
      'small',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"services":{"orders":{"replicas":3}}}}',
    ]);
    await kubectl(['delete', 'service', 'small-users', '-n', ns]);
    await eventually(
      'the operator to notice the outage',
      async () => (await operator.sum('shopstack_operator_watch_restarts_total', 'reason="error"')) > 0,
    );

    await apiserver.start();
    await eventually(
      'orders scaled to 3 after the restart',
      async () => (await replicasOf('small-orders')) === 3,
      120_000,
    );
    await eventually(
      'users Service recreated',
      () => getObject(`/api/v1/namespaces/${ns}/services/small-users`),
      60_000,
    );
    assert.ok(operator.alive, 'the operator process kept running');
  });
});
