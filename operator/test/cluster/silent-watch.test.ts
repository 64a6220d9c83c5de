// A watch whose connection goes silent (open, but no bytes) must not stall the operator: the client
// gives up on it and the informer watches again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiServer,
  eventually,
  getObject,
  type InstalledChart,
  installChart,
  kubectl,
  serviceAccountKubeconfig,
  suffix,
} from '../support/cluster.js';
import { smallShopObject } from '../support/fixtures.js';
import { FreezableProxy } from '../support/freezable-proxy.js';
import { OperatorProcess } from '../support/operator-process.js';

describe('operator when a watch goes silent', function () {
  this.timeout(120_000);
  let chart: InstalledChart;
  let proxy: FreezableProxy;
  let operator: OperatorProcess;
  let dir: string;
  let ns: string;
  const replicas = async () =>
    (
      await getObject<{ spec: { replicas: number } }>(
        `/apis/apps/v1/namespaces/${ns}/deployments/quiet-orders`,
      )
    )?.spec.replicas;

  before(async () => {
    ns = `op-silent-${suffix()}`;
    dir = mkdtempSync(join(tmpdir(), 'operator-silent-'));
    chart = await installChart(ns);
    const api = apiServer();
    proxy = await FreezableProxy.start(api.hostname, Number(api.port));
    const kubeconfig = await serviceAccountKubeconfig(chart, dir, `https://127.0.0.1:${proxy.port}`);
    operator = await OperatorProcess.start({
      kubeconfig,
      namespace: ns,
      leaseName: chart.fullname,
      identity: `silent-${ns}`,
      shard: ns,
      // Short server-side watch timeout, so a silent connection is noticed within seconds; a long lease,
      // so the leader keeps it while its frozen connections time out.
      env: { WATCH_TIMEOUT_SECONDS: '4', LEASE_DURATION_SECONDS: '120', RENEW_DEADLINE_SECONDS: '100' },
    });
  });

  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await chart?.uninstall();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('abandons the frozen watch, watches again and reconciles the change it missed', async () => {
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(smallShopObject('quiet', ns, 1)));
    await eventually('orders at 1 replica', async () => (await replicas()) === 1);
    const silentBefore = await operator.sum('shopstack_operator_watch_restarts_total', 'reason="error"');

    assert.ok(proxy.freeze() > 0, 'the operator had connections open');
    await kubectl([
      'patch',
      'shop',
      'quiet',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"services":{"orders":{"replicas":2}}}}',
    ]);

    await eventually(
      'orders scaled to 2 over a fresh connection',
      async () => (await replicas()) === 2,
      90_000,
    );
    assert.ok(
      (await operator.sum('shopstack_operator_watch_restarts_total', 'reason="error"')) > silentBefore,
    );
    assert.ok(operator.logs.some((line) => line.includes('connection went silent')));
    assert.ok(operator.alive);
  });
});
