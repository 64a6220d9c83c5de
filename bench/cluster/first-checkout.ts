// The shop on the real node, from `kubectl apply` to the first confirmed checkout (`npm run infra --
// up kube node tools`, images built by scripts/images.sh):
//   node --import tsx --conditions shopstack-source bench/cluster/first-checkout.ts
// In a namespace of its own: the kind workflow's dependencies (their time to Ready is the node's
// floor, measured in the same run: how fast this node starts pods at all), an operator of its own
// shard, then the example shop applied and timed to Ready, to the edge serving every service, and to
// a customer's first confirmed checkout through the edge. Then each pod's resident memory
// (bench/cluster/pod-rss.sh). Cleans up after itself.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { OperatorProcess } from '../../operator/test/support/operator-process.js';
import {
  apply,
  appointAdmin,
  buildImages,
  DEPENDENCIES,
  dependencyManifests,
  edgeServesEveryService,
  kubectl,
  LOCAL_SIZE,
  podStates,
  readyPods,
  serviceUrl,
  shopIsReady,
  shopManifests,
} from '../../test/cluster/local-cluster.js';
import { shopClient } from '../../test/e2e/shop-client.js';
import { infraEnv, uniqueName } from '../../test/support/env.js';
import { eventually } from '../../test/support/process.js';

const run = promisify(execFile);
const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const namespace = uniqueName('bench-first');

const seconds = (from: number) => ((Date.now() - from) / 1000).toFixed(1);

async function main() {
  const images = await buildImages();
  await kubectl(['create', 'namespace', namespace]);
  let operator: OperatorProcess | undefined;
  try {
    const depsStarted = Date.now();
    await apply(namespace, dependencyManifests(images));
    const deps = await eventually(() => readyPods(namespace, DEPENDENCIES), 300_000);
    const depsReady = seconds(depsStarted);
    const postgresIp = deps.find((p) => p.component === 'postgres')!.ip!;
    operator = await OperatorProcess.start({
      kubeconfig: infraEnv('KUBECONFIG'),
      namespace,
      leaseName: `operator-${namespace}`,
      identity: `operator-${namespace}`,
      shard: namespace,
    });

    const applied = Date.now();
    await apply(namespace, shopManifests(images, { ...LOCAL_SIZE, shard: namespace }));
    await eventually(() => shopIsReady(namespace), 600_000);
    const shopReady = seconds(applied);
    const edgeUrl = await serviceUrl(namespace, 'shop-edge', 'http');
    await eventually(() => edgeServesEveryService(edgeUrl), 120_000);
    const edgeServing = seconds(applied);

    // The shop's first admin, appointed in its users database, then the whole sale.
    const client = shopClient(edgeUrl);
    const admin = { email: `admin.${randomUUID()}@example.test`, password: 'keeper of the shop 2026' };
    const registered = await client.call('POST', '/api/users/register', undefined, admin);
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    await appointAdmin(admin.email, postgresIp);
    await client.sellAProduct(admin);
    const firstCheckout = seconds(applied);

    const pods = await podStates(namespace);
    console.table({
      'dependencies: applied to every pod Ready (the node floor, s)': depsReady,
      'shop: kubectl apply to Ready=True (s)': shopReady,
      'shop: kubectl apply to the edge serving every service (s)': edgeServing,
      'shop: kubectl apply to the first confirmed checkout (s)': firstCheckout,
      'pods of the shop and its dependencies': pods.length,
      'container restarts on the way': pods.reduce((n, p) => n + p.restarts, 0),
    });
    const rss = await run('bash', [`${REPO_ROOT}bench/cluster/pod-rss.sh`, namespace]);
    console.log('resident memory per pod:');
    console.log(rss.stdout);
  } finally {
    await operator?.stop();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
