// The product as users run it: the kind workflow's dependencies and the example ShopDeployment
// applied to the local cluster, the operator rendering the shop, every pod running on the real node
// from images built here without Docker. Then a customer buys through the edge Service, Prometheus (in
// its pod) scrapes every service, and an orders pod is killed in the middle of checkouts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { SHOP_SERVICES } from '@shopstack/operator';
import pg from 'pg';
import { installCrds } from '../../operator/test/support/cluster.js';
import { OperatorProcess } from '../../operator/test/support/operator-process.js';
import { shopClient } from '../e2e/shop-client.js';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';
import {
  apply,
  buildImages,
  dependencyManifests,
  type Images,
  kubeClients,
  kubectl,
  LOCAL_SIZE,
  podStates,
  serviceUrl,
  shopManifests,
} from './local-cluster.js';

const run = promisify(execFile);
const appointRoleCli = new URL('../../services/users/src/cli/appoint-role.ts', import.meta.url).pathname;
const READY_PATH = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}';
const SHOP_COMPONENTS = [...SHOP_SERVICES, 'ratelimit', 'edge', 'prometheus', 'alertmanager'];

describe('the shop in real pods on the local cluster', function () {
  this.timeout(300_000);
  const namespace = uniqueName('pods');
  let images: Images;
  let operator: OperatorProcess | undefined;
  let edgeUrl: string;
  let postgresIp: string;
  const admin = { email: `admin.${randomUUID()}@example.test`, password: 'keeper of the shop 2026' };

  const allReady = async (expected: string[]) => {
    const pods = (await podStates(namespace)).filter((p) => !p.deleting);
    const present = new Set(pods.map((p) => p.component));
    return expected.every((c) => present.has(c)) && pods.every((p) => p.running && p.ready)
      ? pods
      : undefined;
  };

  before(async function () {
    this.timeout(900_000);
    const started = Date.now();
    const took = (what: string) =>
      console.log(`      ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    images = await buildImages();
    took('images built or found');
    const { core } = kubeClients();
    // The suite may be the first to use this API server: nothing else has installed the CRD yet.
    await installCrds();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await apply(namespace, dependencyManifests(images));
    const deps = await eventually(() => allReady(['postgres', 'rabbitmq', 'redis', 'mongodb']), 180_000);
    postgresIp = deps.find((p) => p.component === 'postgres')!.ip!;
    took('dependencies Ready');
    operator = await OperatorProcess.start({
      kubeconfig: infraEnv('KUBECONFIG'),
      namespace,
      leaseName: `operator-${namespace}`,
      identity: `operator-${namespace}`,
      shard: namespace,
    });
    await apply(namespace, shopManifests(images, { ...LOCAL_SIZE, shard: namespace }));
    const shopReady = async () =>
      (await kubectl(['get', 'shop', 'shop', '-n', namespace, '-o', READY_PATH])).trim() === 'True';
    await eventually(shopReady, 240_000).catch(async (error) => {
      throw new Error(`${error}\n${await kubectl(['get', 'pods,shop', '-n', namespace, '-o', 'wide'])}`);
    });
    took(
      `shop Ready (${(await podStates(namespace)).reduce((n, p) => n + p.restarts, 0)} container restarts)`,
    );
    edgeUrl = await serviceUrl(namespace, 'shop-edge', 'http');
    // The edge health-checks its upstreams on its own clock: serving once every service's document is.
    await eventually(async () => {
      const replies = await Promise.all(
        SHOP_SERVICES.map((s) => fetch(`${edgeUrl}/api/${s}/openapi.json`).then((r) => r.status)),
      );
      return replies.every((status) => status === 200);
    }, 60_000);
    took('edge serving every service');
  });

  after(async () => {
    await operator?.stop();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => {});
  });

  it('runs every pod of the shop and its dependencies on the real node, Running and Ready by its probes', async () => {
    const pods = await eventually(() => allReady(SHOP_COMPONENTS), 60_000);
    const components = [...new Set(pods.map((p) => p.component))].sort();
    assert.deepEqual(components, [...SHOP_COMPONENTS, 'postgres', 'rabbitmq', 'redis', 'mongodb'].sort());
    assert.deepEqual(
      [...new Set(pods.map((p) => p.node))],
      [infraEnv('KUBE_NODE_NAME')],
      'every pod on the real node',
    );
    assert.equal(pods.filter((p) => p.component === 'orders').length, 2);
    assert.equal(pods.filter((p) => p.component === 'edge').length, 2);
  });

  it('sells a product through the edge Service: sign-up, top-up, cart, checkout confirmed, money and stock moved', async () => {
    const client = shopClient(edgeUrl);
    assert.equal((await client.call('POST', '/api/users/register', undefined, admin)).status, 201);
    await run(
      process.execPath,
      ['--import', 'tsx', '--conditions', 'shopstack-source', appointRoleCli, admin.email, 'admin'],
      { env: { ...process.env, DATABASE_URL: `postgres://shop:change-me@${postgresIp}:5432/users` } },
    );
    await client.sellAProduct(admin);
  });

  it('has every service as an up target of the Prometheus in its pod', async () => {
    const prometheus = await serviceUrl(namespace, 'shop-prometheus', 'http');
    const jobs = [...SHOP_SERVICES, 'edge', 'prometheus'];
    const targets = await eventually(async () => {
      const reply = (await (await fetch(`${prometheus}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: { labels: { job: string }; health: string }[] };
      };
      const active = reply.data.activeTargets;
      const up = new Set(active.filter((t) => t.health === 'up').map((t) => t.labels.job));
      // Each replica of a service is its own target (the headless Services list every ready pod).
      const orders = active.filter((t) => t.labels.job === 'orders').length;
      return jobs.every((job) => up.has(job)) && active.every((t) => t.health === 'up') && orders === 2;
    }, 120_000);
    assert.ok(targets);
  });

  it('kills an orders pod in the middle of checkouts: the other replica resumes every saga, each order ends once', async () => {
    const client = shopClient(edgeUrl);
    const adminToken = await client.signIn(admin);
    const priceMinor = 150;
    const productId = await client.addProduct(adminToken, priceMinor, 1_000);
    const buyers = await Promise.all(Array.from({ length: 6 }, () => client.fundedCustomer(10_000)));
    const perBuyer = 3;
    const [doomed] = (await podStates(namespace)).filter((p) => p.component === 'orders' && !p.deleting);

    // A request the edge or a service answered 503 (a pod that just went away, a peer not answering
    // in time on this busy machine) changed nothing; a client sends it again, a checkout under the same key.
    let retried = 0;
    const send = async (method: string, path: string, token: string, body?: unknown, key?: string) => {
      for (let attempt = 0; ; attempt++) {
        const reply = await client.call(method, path, token, body, key).catch(() => undefined);
        if (reply && reply.status < 500) return reply;
        if (attempt >= 10) throw new Error(`${method} ${path} kept failing: ${JSON.stringify(reply?.body)}`);
        retried++;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const checkout = async (token: string): Promise<string> => {
      const reply = await send('POST', '/api/orders/checkout', token, undefined, randomUUID());
      assert.equal(reply.status, 202, JSON.stringify(reply.body));
      return reply.body.orderId as string;
    };
    const placing = Promise.all(
      buyers.map(async ({ token }, i) => {
        const orders: string[] = [];
        for (let n = 0; n < perBuyer; n++) {
          const line = await send('POST', '/api/orders/cart/lines', token, { productId, quantity: 2 });
          assert.equal(line.status, 200, JSON.stringify(line.body));
          orders.push(await checkout(token));
          // Half-way through the first round, the pod goes away without a chance to finish its work.
          if (n === 0 && i === 0)
            await kubectl(['delete', 'pod', doomed!.name, '-n', namespace, '--grace-period=0', '--force']);
        }
        return orders;
      }),
    );
    const placed = await placing;
    console.log(`      requests sent again after a 503 or a reset: ${retried}`);
    const outcomes = await Promise.all(
      buyers.flatMap(({ token }, i) => placed[i]!.map((orderId) => client.settled(token, orderId, 180_000))),
    );
    // Every order ended; one that ran out of time on this busy machine is cancelled, its money and
    // stock released. Most are confirmed.
    const confirmed = outcomes.filter((o) => o.status === 'confirmed');
    console.log(`      ${confirmed.length} of ${outcomes.length} orders confirmed, the rest cancelled`);
    assert.ok(
      confirmed.length > outcomes.length / 2,
      JSON.stringify(outcomes.map((o) => [o.status, o.cancelReason])),
    );
    assert.deepEqual(
      outcomes.filter((o) => o.status !== 'confirmed' && o.status !== 'cancelled').map((o) => o.status),
      [],
    );

    const orders = new pg.Pool({
      connectionString: `postgres://shop:change-me@${postgresIp}:5432/orders`,
      max: 1,
    });
    try {
      const ids = placed.flat();
      const { rows: steps } = await orders.query<{ step: string; count: string }>(
        'select step, count(*) from checkout_sagas where order_id = any($1) group by step',
        [ids],
      );
      assert.deepEqual(
        steps.map((row) => [row.step, Number(row.count)]),
        [['done', ids.length]],
        'every saga done',
      );
      const { rows: completed } = await orders.query<{ order_id: string; count: string }>(
        `select payload->>'orderId' as order_id, count(*) from kit_outbox
          where message_type = 'order.completed' and payload->>'orderId' = any($1) group by 1`,
        [ids],
      );
      assert.deepEqual(
        completed.map((row) => row.order_id).sort(),
        confirmed.map((o) => o.orderId).sort(),
        'every confirmed order completed, no cancelled one',
      );
      assert.deepEqual(
        completed.filter((row) => Number(row.count) !== 1),
        [],
        'each order completed once',
      );
    } finally {
      await orders.end();
    }
    // Money and stock moved for the confirmed orders only, exactly once each.
    for (const [i, { token }] of buyers.entries()) {
      const mine = outcomes.filter((o) => placed[i]!.includes(o.orderId) && o.status === 'confirmed');
      assert.equal(await client.balanceOf(token), String(10_000 - mine.length * 2 * priceMinor));
    }
    const stock = (await client.call('GET', `/api/catalog/products/${productId}`)).body.stock;
    const left = 1_000 - confirmed.length * 2;
    assert.deepEqual(stock, { onHand: left, reserved: 0, available: left });
    // The Deployment replaced the killed pod.
    await eventually(async () => {
      const live = (await podStates(namespace)).filter((p) => p.component === 'orders' && !p.deleting);
      return live.length === 2 && live.every((p) => p.ready && p.name !== doomed!.name);
    }, 120_000);
  });
});
