// Two operator replicas on one Lease: only the leader acts, and the other takes over when it dies.
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

interface Lease {
  spec: { holderIdentity?: string; leaseTransitions?: number };
}

describe('operator leader election', function () {
  this.timeout(120_000);
  let chart: InstalledChart;
  let dir: string;
  let ns: string;
  const replicas: OperatorProcess[] = [];
  const leasePath = () => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${chart.fullname}`;
  const holder = async () => (await getObject<Lease>(leasePath()))?.spec.holderIdentity;
  const ordersReplicas = async () =>
    (
      (await getObject(`/apis/apps/v1/namespaces/${ns}/deployments/tiny-orders`)) as
        | { spec: { replicas: number } }
        | undefined
    )?.spec.replicas;

  before(async () => {
    ns = `op-le-${suffix()}`;
    dir = mkdtempSync(join(tmpdir(), 'operator-le-'));
    chart = await installChart(ns);
    const kubeconfig = await serviceAccountKubeconfig(chart, dir);
    for (const name of ['a', 'b']) {
      replicas.push(
        await OperatorProcess.start({
          kubeconfig,
          namespace: ns,
          leaseName: chart.fullname,
          identity: `${ns}-${name}`,
          shard: ns,
        }),
      );
    }
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await chart?.uninstall();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('elects exactly one leader, and only the leader reconciles', async () => {
    const leaderId = await eventually('a lease holder', holder);
    const leader = replicas.find((r) => r.identity === leaderId)!;
    const standby = replicas.find((r) => r.identity !== leaderId)!;
    assert.ok(leader, `unknown holder ${leaderId}`);
    await eventually('the leader to report leading', () => leader.isLeader());
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(smallShopObject('tiny', ns, 2)));
    await eventually('orders to exist with 2 replicas', async () => (await ordersReplicas()) === 2);
    assert.equal(await standby.isLeader(), false);
    assert.equal(
      await standby.sum('shopstack_operator_reconcile_total'),
      0,
      'the standby must not reconcile',
    );
    assert.equal(await standby.sum('shopstack_operator_api_writes_total', 'purpose="reconcile"'), 0);
    // The counter moves when a reconcile finishes, a moment after its first writes.
    await eventually(
      'the leader to count its reconcile',
      async () => (await leader.sum('shopstack_operator_reconcile_total')) > 0,
    );
  });

  it('fails over to the standby when the leader dies', async () => {
    const leaderId = await holder();
    const leader = replicas.find((r) => r.identity === leaderId)!;
    const standby = replicas.find((r) => r.identity !== leaderId)!;
    await leader.stop('SIGKILL'); // no chance to release the Lease: the standby must wait for it to expire
    await eventually(
      'the standby to take the lease',
      async () => (await holder()) === standby.identity,
      60_000,
    );
    await eventually('the new leader to report leading', () => standby.isLeader());
    await kubectl([
      'patch',
      'shop',
      'tiny',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"services":{"orders":{"replicas":3}}}}',
    ]);
    await eventually('the new leader to scale orders', async () => (await ordersReplicas()) === 3);
    const lease = (await getObject<Lease>(leasePath()))!;
    assert.ok((lease.spec.leaseTransitions ?? 0) >= 1);
  });

  it('hands the Lease over at once on a clean shutdown', async () => {
    const leader = replicas.find((r) => r.alive)!;
    await leader.stop('SIGTERM');
    const lease = (await getObject<Lease>(leasePath()))!;
    assert.equal(lease.spec.holderIdentity ?? '', '', 'a stopping leader releases the lease');
  });
});
