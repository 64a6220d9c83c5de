// Operator benchmark on the local control plane (`npm run infra -- up kube tools`):
//   node --import tsx --conditions shopstack-source bench/operator/ready.ts [--count 200] [--steady 30]
// Creates COUNT ShopDeployments in a fresh namespace, runs the operator (its own shard, so nothing
// else on the cluster interferes), and prints: time until all are Ready, reconciles and API writes per
// second while converging, writes during a quiet window that includes a full relist (must be 0), and
// the operator's memory. Cleans up after itself.
import { parseArgs } from 'node:util';
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { adminClient, clusterEnv, eventually, kubectl, suffix } from '../../operator/test/support/cluster.js';
import { OperatorProcess } from '../../operator/test/support/operator-process.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '200' }, steady: { type: 'string', default: '30' } },
});
const count = Number(values.count);
const steadySeconds = Number(values.steady);
const ns = `bench-op-${suffix()}`;

// The local kwok node takes at most 1000 pods and the whole cluster is shared, so a bench shop runs two
// pods (users and the edge); the other services are Deployments at zero replicas. The operator still
// renders, applies and watches every object of every shop.
function shop(index: number) {
  const zero = { replicas: 0 };
  return {
    apiVersion: 'shopstack.io/v1alpha1',
    kind: 'ShopDeployment',
    metadata: { name: `shop-${index}`, namespace: ns, labels: { 'shopstack.io/shard': ns } },
    spec: {
      services: { users: { replicas: 1 }, catalog: zero, orders: zero, payments: zero, notifications: zero },
      edge: { replicas: 1 },
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
    const list = await client.request<ShopList>(
      'GET',
      `/apis/shopstack.io/v1alpha1/namespaces/${ns}/shopdeployments`,
    );
    return list.items.filter((s) =>
      s.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
  } finally {
    client.close();
  }
}

const writesOf = async (operator: OperatorProcess) =>
  (await operator.sum('shopstack_operator_api_writes_total')) -
  (await operator.sum('shopstack_operator_api_writes_total', 'purpose="lease"'));

async function main() {
  const { kubeconfig } = clusterEnv();
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'charts/shopstack-operator/crds']);
  await kubectl(['create', 'namespace', ns]);
  let operator: OperatorProcess | undefined;
  try {
    operator = await OperatorProcess.start({
      kubeconfig,
      namespace: ns,
      leaseName: 'bench-operator',
      identity: `bench-${ns}`,
      shard: ns,
      env: { RELIST_SECONDS: String(Math.max(5, Math.floor(steadySeconds / 2))) },
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
        const ready = await readyCount();
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          console.error(`  ${ready}/${count} Ready after ${Math.round((Date.now() - started) / 1000)}s`);
        }
        return ready === count;
      },
      30 * 60_000,
    );
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

    const figures = {
      shops: count,
      'time to all Ready (s)': convergeSeconds.toFixed(1),
      'reconciles while converging': reconciles,
      'reconciles / s': (reconciles / convergeSeconds).toFixed(1),
      'API writes while converging (no lease)': writes,
      'API writes / s': (writes / convergeSeconds).toFixed(1),
      [`steady state: writes in ${steadySeconds}s`]: steadyWrites,
      [`steady state: reconciles in ${steadySeconds}s (resyncs)`]: steadyReconciles,
      'steady state: full relists in window': relists,
      'operator RSS (MiB)': (rss / 2 ** 20).toFixed(0),
      'operator heap used (MiB)': (heap / 2 ** 20).toFixed(0),
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
