// Operator benchmark on the local control plane (`npm run infra -- up kube tools`):
//   node --import tsx --conditions shopstack-source bench/operator/ready.ts [--count 200] [--steady 30] [--build]
// Creates COUNT ShopDeployments in a fresh namespace, runs the operator (its own shard, so nothing
// else on the cluster interferes), and prints: time until all are Ready, reconciles and API writes per
// second while converging, writes during a quiet window that includes a full relist (must be 0), and
// the operator's memory. Cleans up after itself.
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { parseShopDeployment } from '../../operator/src/api/parse.js';
import type { KubeObject } from '../../operator/src/api/shop-deployment.js';
import { planPki } from '../../operator/src/controller/certificates.js';
import { DEPLOYMENTS, SHOP_DEPLOYMENTS } from '../../operator/src/kube/resources.js';
import { renderShop } from '../../operator/src/render/index.js';
import { adminClient, clusterEnv, eventually, kubectl, suffix } from '../../operator/test/support/cluster.js';
import { OperatorProcess } from '../../operator/test/support/operator-process.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    steady: { type: 'string', default: '30' },
    // The compiled operator (operator/dist, built first), as its image runs it, rather than tsx.
    build: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const steadySeconds = Number(values.steady);
const run = promisify(execFile);
const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const ns = `bench-op-${suffix()}`;
const floorNs = `bench-floor-${suffix()}`;
/** The operator's default WORKERS: shops reconciled at once. The floor applies as many at once. */
const CONCURRENCY = 4;

// The local kwok node takes at most 1000 pods and 64 CPUs of requests, and the whole cluster is shared,
// so a bench shop runs two pods (users and the edge) asking for little; the other services and the rate
// limit service are Deployments at zero replicas. The operator still renders, applies and watches every
// object of every shop.
function shop(index: number, namespace = ns) {
  const zero = { replicas: 0 };
  const resources = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };
  return {
    apiVersion: 'shopstack.io/v1alpha1',
    kind: 'ShopDeployment',
    metadata: { name: `shop-${index}`, namespace, labels: { 'shopstack.io/shard': namespace } },
    spec: {
      services: {
        users: { replicas: 1, resources },
        catalog: zero,
        orders: zero,
        payments: zero,
        notifications: zero,
        backoffice: zero,
      },
      edge: { replicas: 1, resources, rateLimitService: zero },
      secrets: {
        rabbitmq: { name: 'amqp' },
        redis: { name: 'redis' },
        paymentsWebhook: { name: 'webhook' },
        smtp: { name: 'smtp' },
        unsubscribeSigning: { name: 'unsubscribe' },
      },
      observability: { prometheus: { enabled: false }, grafana: { enabled: false } },
    },
  };
}

interface ShopList {
  items: { status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] } }[];
}

async function readyCount(): Promise<number> {
  const client = adminClient();
  try {
    const list = (await client.list(SHOP_DEPLOYMENTS, { namespace: ns })) as unknown as ShopList;
    return list.items.filter((s) =>
      s.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
  } finally {
    await client.close();
  }
}

interface DeploymentList {
  items: {
    metadata: { generation?: number };
    spec: { replicas?: number };
    status?: { observedGeneration?: number; availableReplicas?: number; readyReplicas?: number };
  }[];
}

/**
 * The floor: what the control plane allows without the operator. The children the operator would
 * render for the same shops (no owner: there is no ShopDeployment here), applied server-side by one
 * client, CONCURRENCY shops at a time, each shop's objects in turn as a reconcile does; timed until
 * every Deployment is available, as Ready is for the operator.
 */
async function floor(): Promise<{ seconds: number; objects: number }> {
  await kubectl(['create', 'namespace', floorNs]);
  const client = adminClient();
  try {
    const shops = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const object = shop(i, floorNs) as unknown as KubeObject;
        const parsed = parseShopDeployment({
          ...object,
          metadata: {
            ...object.metadata,
            uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
            generation: 1,
          },
        });
        if (!parsed.ok) throw new Error(parsed.message);
        // The certificates the operator issues into Secrets are part of what it applies.
        const { pki } = await planPki(parsed.shop, () => undefined, new Date());
        return renderShop(parsed.shop, { dashboards: {}, pki }).map((child) => {
          const { ownerReferences: _, ...metadata } = child.metadata;
          return { ...child, metadata };
        });
      }),
    );
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < shops.length) {
          for (const object of shops[next++]!) await client.apply(object);
        }
      }),
    );
    await eventually(
      'every floor Deployment available',
      async () => {
        const list = (await client.list(DEPLOYMENTS, { namespace: floorNs })) as unknown as DeploymentList;
        return list.items.every((d) => {
          const want = d.spec.replicas ?? 1;
          return (
            (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
            (d.status?.availableReplicas ?? 0) >= want &&
            (d.status?.readyReplicas ?? 0) >= want
          );
        });
      },
      30 * 60_000,
    );
    return { seconds: (Date.now() - started) / 1000, objects: shops.flat().length };
  } finally {
    await client.close();
    await kubectl(['delete', 'namespace', floorNs, '--wait=false']);
  }
}

/**
 * API writes other than the leader Lease's, from one reading of /metrics: two readings (all writes,
 * then the Lease's) could straddle a renewal, which read -1 writes in a steady window once.
 */
async function writesOf(operator: OperatorProcess): Promise<number> {
  let writes = 0;
  for (const [key, value] of await operator.metrics()) {
    if (key.startsWith('shopstack_operator_api_writes_total') && !key.includes('purpose="lease"'))
      writes += value;
  }
  return writes;
}

async function main() {
  const { kubeconfig } = clusterEnv();
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'charts/shopstack-operator/crds']);
  if (values.build) await run('npm', ['run', 'build', '-w', '@shopstack/operator'], { cwd: REPO_ROOT });
  const base = await floor();
  console.error(`  floor: ${base.objects} objects applied and available in ${base.seconds.toFixed(1)} s`);
  // The floor's pods leave the fake node before the operator's shops arrive.
  await eventually(
    'the floor namespace gone',
    async () => !(await kubectl(['get', 'namespaces', '-o', 'name'])).includes(floorNs),
    10 * 60_000,
  );
  await kubectl(['create', 'namespace', ns]);
  let operator: OperatorProcess | undefined;
  try {
    operator = await OperatorProcess.start({
      kubeconfig,
      namespace: ns,
      leaseName: 'bench-operator',
      identity: `bench-${ns}`,
      shard: ns,
      env: {
        RELIST_SECONDS: String(Math.max(5, Math.floor(steadySeconds / 2))),
        // client-go's defaults, not the tests' quick failover: on two saturated cores a renewal can take
        // longer than 4 s, and an operator that loses its Lease exits (it did, 128 shops in).
        LEASE_DURATION_SECONDS: '15',
        RENEW_DEADLINE_SECONDS: '10',
        RETRY_PERIOD_SECONDS: '2',
      },
      build: values.build,
    });
    const started = Date.now();
    for (let i = 0; i < count; i += 50) {
      const items = Array.from({ length: Math.min(50, count - i) }, (_, j) => shop(i + j));
      await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    }
    let lastReport = 0;
    await eventually(
      `${count} shops Ready`,
      async () => {
        if (!operator!.alive) return 'exited';
        const ready = await readyCount();
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          console.error(`  ${ready}/${count} Ready after ${Math.round((Date.now() - started) / 1000)}s`);
        }
        return ready === count;
      },
      30 * 60_000,
    ).then((outcome) => {
      if (outcome === 'exited')
        throw new Error(`the operator exited:\n${operator!.logs.slice(-20).join('\n')}`);
    });
    const convergeSeconds = (Date.now() - started) / 1000;
    const reconciles = await operator.sum('shopstack_operator_reconcile_total');
    const writes = await writesOf(operator);
    await eventually(
      'an empty queue',
      async () => (await operator!.sum('shopstack_operator_workqueue_depth')) === 0,
    );

    const relistsBefore = await operator.sum('shopstack_operator_watch_restarts_total', 'reason="relist"');
    const writesBefore = await writesOf(operator);
    const reconcilesBefore = await operator.sum('shopstack_operator_reconcile_total');
    await new Promise((resolve) => setTimeout(resolve, steadySeconds * 1000));
    const steadyWrites = (await writesOf(operator)) - writesBefore;
    const steadyReconciles = (await operator.sum('shopstack_operator_reconcile_total')) - reconcilesBefore;
    const relists =
      (await operator.sum('shopstack_operator_watch_restarts_total', 'reason="relist"')) - relistsBefore;
    const rss = await operator.sum('shopstack_operator_process_resident_memory_bytes');
    const heap = await operator.sum('shopstack_operator_nodejs_heap_size_used_bytes');
    const heapTotal = await operator.sum('shopstack_operator_nodejs_heap_size_total_bytes');
    const peak = operator.peakRss();

    const figures = {
      shops: count,
      'floor: same objects applied by one client, all available (s)': base.seconds.toFixed(1),
      'time to all Ready (s)': convergeSeconds.toFixed(1),
      'time to Ready / floor': (convergeSeconds / base.seconds).toFixed(2),
      'reconciles while converging': reconciles,
      'reconciles / s': (reconciles / convergeSeconds).toFixed(1),
      'API writes while converging (no lease)': writes,
      'API writes / s': (writes / convergeSeconds).toFixed(1),
      [`steady state: writes in ${steadySeconds}s`]: steadyWrites,
      [`steady state: reconciles in ${steadySeconds}s (resyncs)`]: steadyReconciles,
      'steady state: full relists in window': relists,
      'operator RSS (MiB)': (rss / 2 ** 20).toFixed(0),
      'operator heap used (MiB)': (heap / 2 ** 20).toFixed(0),
      'operator heap total (MiB)': (heapTotal / 2 ** 20).toFixed(0),
      'operator peak RSS, VmHWM (MiB)': peak === undefined ? 'n/a' : (peak / 2 ** 20).toFixed(0),
    };
    console.table(figures);
  } finally {
    await operator?.stop();
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
