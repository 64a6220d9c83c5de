// The product as users run it: the kind workflow's dependencies and the example ShopDeployment
// applied to the local cluster, the operator rendering the shop, every pod running on the real node
// from images built here without Docker. Then a customer buys through the edge Service, Prometheus (in
// its pod) scrapes every service, and the failures a cluster brings: an orders pod killed in the middle
// of checkouts, payments scaled, an edge pod deleted under load, every service rolled to a new image.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SHOP_SERVICES } from '@shopstack/operator';
import pg from 'pg';
import { installCrds } from '../../operator/test/support/cluster.js';
import { OperatorProcess } from '../../operator/test/support/operator-process.js';
import { shopClient } from '../e2e/shop-client.js';
import { infraEnv, uniqueName } from '../support/env.js';
import { eventually } from '../support/process.js';
import {
  apply,
  appointAdmin,
  buildImages,
  DEPENDENCIES,
  dependencyManifests,
  edgeServesEveryService,
  type Images,
  kubeClients,
  kubectl,
  LOCAL_SIZE,
  podStates,
  readyPods,
  retagImage,
  serviceUrl,
  shopIsReady,
  shopManifests,
} from './local-cluster.js';

const SHOP_COMPONENTS = [...SHOP_SERVICES, 'ratelimit', 'edge', 'prometheus', 'alertmanager'];

describe('the shop in real pods on the local cluster', function () {
  this.timeout(300_000);
  const namespace = uniqueName('pods');
  let images: Images;
  let operator: OperatorProcess | undefined;
  let edgeUrl: string;
  let postgresIp: string;
  const admin = { email: `admin.${randomUUID()}@example.test`, password: 'keeper of the shop 2026' };

  const allReady = (expected: string[]) => readyPods(namespace, expected);

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
    const deps = await eventually(() => allReady(DEPENDENCIES), 180_000);
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
    await eventually(() => shopIsReady(namespace), 240_000).catch(async (error) => {
      throw new Error(`${error}\n${await kubectl(['get', 'pods,shop', '-n', namespace, '-o', 'wide'])}`);
    });
    took(
      `shop Ready (${(await podStates(namespace)).reduce((n, p) => n + p.restarts, 0)} container restarts)`,
    );
    edgeUrl = await serviceUrl(namespace, 'shop-edge', 'http');
    await eventually(() => edgeServesEveryService(edgeUrl), 60_000);
    took('edge serving every service');
  });

  after(async () => {
    await operator?.stop();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => {});
  });

  it('runs every pod of the shop and its dependencies on the real node, Running and Ready by its probes', async () => {
    const pods = await eventually(() => allReady(SHOP_COMPONENTS), 60_000);
    const components = [...new Set(pods.map((p) => p.component))].sort();
    assert.deepEqual(components, [...SHOP_COMPONENTS, ...DEPENDENCIES].sort());
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
    await appointAdmin(admin.email, postgresIp);
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

  /** A product and funded customers for a round of checkouts, and the admin's token. */
  const checkoutRound = async (buyerCount: number, perBuyer: number) => {
    const client = shopClient(edgeUrl);
    const adminToken = await client.signIn(admin);
    const priceMinor = 150;
    const stockOnHand = 1_000;
    const productId = await client.addProduct(adminToken, priceMinor, stockOnHand);
    const funded = 10_000;
    const buyers = await Promise.all(Array.from({ length: buyerCount }, () => client.fundedCustomer(funded)));

    // A request the edge or a service answered 503 (a pod that just went away, a peer not answering
    // in time on this busy machine, the edge's health checks timing out while pods start on its two
    // saturated cores) changed nothing; a client sends it again, a checkout under the same key, for as
    // long as a patient customer would. How long the longest such wait was is printed, not asserted.
    let retried = 0;
    let longestWaitMs = 0;
    const send = async (method: string, path: string, token: string, body?: unknown, key?: string) => {
      const first = Date.now();
      for (let attempt = 0; ; attempt++) {
        const reply = await client.call(method, path, token, body, key).catch(() => undefined);
        if (reply && reply.status < 500) {
          if (attempt > 0) longestWaitMs = Math.max(longestWaitMs, Date.now() - first);
          return reply;
        }
        if (Date.now() - first > 120_000)
          throw new Error(`${method} ${path} kept failing for 2 min: ${JSON.stringify(reply?.body)}`);
        retried++;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    /** Checkouts answered while the disruption was going on (asked after it began, answered before its end). */
    let placedDuring = 0;
    /**
     * Every buyer checks out `perBuyer` times in turn; `during` starts after the first buyer's first one.
     * With `untilOver`, each buyer goes on until `during` has ended (or `untilOver.most` checkouts), and
     * waits for each order to end before the next, as a customer waits for the confirmation: the
     * checkouts spread over the whole disruption, however long this machine makes it.
     */
    const place = async (during: () => Promise<unknown>, untilOver?: { most: number }) => {
      let disruption: Promise<unknown> | undefined;
      let over = false;
      const more = (n: number) => n < perBuyer || (untilOver !== undefined && !over && n < untilOver.most);
      const placed = await Promise.all(
        buyers.map(async ({ token }, i) => {
          const orders: string[] = [];
          for (let n = 0; more(n); n++) {
            const askedDuring = disruption !== undefined && !over;
            // PUT sets the line: sent again after a lost answer, it still holds two (a POST would add two more).
            const line = await send('PUT', `/api/orders/cart/lines/${productId}`, token, { quantity: 2 });
            assert.equal(line.status, 200, JSON.stringify(line.body));
            const reply = await send('POST', '/api/orders/checkout', token, undefined, randomUUID());
            // 200: the first attempt was placed but its answer lost, and the key's replay returns it.
            assert.ok([200, 202].includes(reply.status), JSON.stringify(reply.body));
            orders.push(reply.body.orderId as string);
            if (askedDuring && !over) placedDuring++;
            if (n === 0 && i === 0)
              disruption = during().finally(() => {
                over = true;
              });
            if (untilOver) await client.settled(token, reply.body.orderId as string, 180_000);
          }
          return orders;
        }),
      );
      await disruption;
      console.log(
        `      requests sent again after a 503 or a reset: ${retried} (longest until answered after one: ${(longestWaitMs / 1000).toFixed(1)} s)`,
      );
      return placed;
    };

    /**
     * Every order ended; one that ran out of time on this busy machine is cancelled, its money and
     * stock released. Each saga is done, each confirmed order completed once, and
     * money and stock moved for the confirmed orders only, exactly once each.
     */
    const settledAll = (placed: string[][]) =>
      Promise.all(
        buyers.flatMap(({ token }, i) =>
          placed[i]!.map((orderId) => client.settled(token, orderId, 180_000)),
        ),
      );
    const eachOrderEndedOnce = async (placed: string[][]) => {
      const outcomes = await settledAll(placed);
      const confirmed = outcomes.filter((o) => o.status === 'confirmed');
      console.log(`      ${confirmed.length} of ${outcomes.length} orders confirmed, the rest cancelled`);
      // How many run out of time depends on how busy the machine is, which a test cannot assert on;
      // that the shop still sells, and that each cancelled one says why, it can.
      assert.ok(confirmed.length > 0, JSON.stringify(outcomes.map((o) => [o.status, o.cancelReason])));
      assert.deepEqual(
        outcomes.filter((o) => o.status === 'cancelled' && !o.cancelReason).map((o) => o.orderId),
        [],
        'every cancelled order says why',
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
      for (const [i, { token }] of buyers.entries()) {
        const mine = outcomes.filter((o) => placed[i]!.includes(o.orderId) && o.status === 'confirmed');
        assert.equal(await client.balanceOf(token), String(funded - mine.length * 2 * priceMinor));
      }
      const stock = (await client.call('GET', `/api/catalog/products/${productId}`)).body.stock;
      const left = stockOnHand - confirmed.length * 2;
      assert.deepEqual(stock, { onHand: left, reserved: 0, available: left });
      return outcomes;
    };
    return { place, settledAll, eachOrderEndedOnce, buyers, productId, placedDuring: () => placedDuring };
  };

  /** A change to the shop's spec, as `kubectl patch` makes it (a JSON merge patch). */
  const patchShop = (spec: Record<string, unknown>) =>
    kubectl(['patch', 'shop', 'shop', '-n', namespace, '--type', 'merge', '-p', JSON.stringify({ spec })]);

  const livePods = async (component: string) =>
    (await podStates(namespace)).filter((p) => p.component === component && !p.deleting);

  it('kills an orders pod in the middle of checkouts: the other replica resumes every saga, each order ends once', async () => {
    const round = await checkoutRound(6, 3);
    const [doomed] = await livePods('orders');
    // Half-way through the first round, the pod goes away without a chance to finish its work.
    const placed = await round.place(() =>
      kubectl(['delete', 'pod', doomed!.name, '-n', namespace, '--grace-period=0', '--force']),
    );
    await round.eachOrderEndedOnce(placed);
    // The Deployment replaced the killed pod.
    await eventually(async () => {
      const live = await livePods('orders');
      return live.length === 2 && live.every((p) => p.ready && p.name !== doomed!.name);
    }, 120_000);
  });

  it("scales payments to two pods: the orders pods' gRPC clients find the new one and spread calls to it", async () => {
    /** gRPC calls each payments pod has served (its own /metrics), by pod name. */
    const servedByPod = async () => {
      const pods = await livePods('payments');
      const counts = await Promise.all(
        pods.map(async (pod) => {
          const text = await (await fetch(`http://${pod.ip}:8080/metrics`)).text();
          return text
            .split('\n')
            .filter(
              (line) => line.startsWith('grpc_server_requests_total{') && line.includes('shop.payments.v1'),
            )
            .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
        }),
      );
      return new Map(pods.map((pod, i) => [pod.name, counts[i]!]));
    };
    const [first] = await livePods('payments');
    await patchShop({ services: { payments: { replicas: 2 } } });
    const pods = await eventually(async () => {
      const live = await livePods('payments');
      return live.length === 2 && live.every((p) => p.ready) && live;
    }, 120_000);
    const added = pods.find((p) => p.name !== first!.name)!;
    // A ready pod joins its Service's EndpointSlice a moment later (the control plane's controller),
    // and only then does DNS name it; the clients' look-ups are timed from there.
    await eventually(async () => {
      const slices = JSON.parse(await kubectl(['get', 'endpointslices', '-n', namespace, '-o', 'json'])) as {
        items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[];
      };
      return slices.items.some((slice) =>
        (slice.endpoints ?? []).some(
          (e) => added.ip !== undefined && e.addresses.includes(added.ip) && e.conditions?.ready,
        ),
      );
    }, 60_000);
    const before = await servedByPod();

    // Each checkout authorizes and captures a hold over gRPC from an orders pod. The clients look
    // the headless name up again every few seconds, so within a few rounds of checkouts the new pod
    // serves; rounds go on until it has (on this busy machine a round can take less than a look-up's
    // interval), for at most a minute.
    const round = await checkoutRound(2, 3);
    const placed: string[][] = round.buyers.map(() => []);
    const started = Date.now();
    let servedByNew = 0;
    do {
      for (const [i, orders] of (await round.place(async () => {})).entries()) placed[i]!.push(...orders);
      servedByNew = ((await servedByPod()).get(added.name) ?? 0) - (before.get(added.name) ?? 0);
    } while (servedByNew === 0 && Date.now() - started < 60_000);
    const foundAfterS = ((Date.now() - started) / 1000).toFixed(1);
    // Ended, confirmed or (a hold that timed out on a busy machine) cancelled: either way its calls
    // reached payments. What is checked here is where they went.
    await round.settledAll(placed);
    const after = await servedByPod();
    const served = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    console.log(
      `      payments gRPC calls: first pod ${served(first!.name)}, new pod ${served(added.name)} (first served within ${foundAfterS} s of checkouts)`,
    );
    assert.ok(served(added.name) > 0, 'the new pod serves gRPC calls');
    assert.ok(served(first!.name) > 0, 'the first pod still serves its share');
  });

  it('deletes an edge pod while requests run: the other replica serves them, none fails beyond one retry each', async () => {
    const [doomed] = await livePods('edge');
    const loops = 4;
    const perLoop = 150;
    let served = 0;
    let retried = 0;
    const failures: string[] = [];
    // A request whose connection was cut as the pod went away is sent again once, as a browser would.
    const get = async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const reply = await fetch(`${edgeUrl}/api/catalog/products?pageSize=1`).then(
          (r) => r.status,
          (e: Error) => e.message,
        );
        if (reply === 200) return served++;
        if (attempt === 0) retried++;
        else failures.push(String(reply));
      }
    };
    let deleted: Promise<string> | undefined;
    await Promise.all(
      Array.from({ length: loops }, async (_, loop) => {
        for (let n = 0; n < perLoop; n++) {
          if (loop === 0 && n === perLoop / 5)
            deleted = kubectl(['delete', 'pod', doomed!.name, '-n', namespace]);
          await get();
        }
      }),
    );
    await deleted;
    console.log(
      `      ${served} of ${loops * perLoop} served, ${retried} sent again, ${failures.length} failed`,
    );
    assert.deepEqual(failures, []);
    // At most the requests in flight on, or pooled to, the pod that went: one per loop.
    assert.ok(retried <= loops, `${retried} retries`);
    assert.equal(served, loops * perLoop);
    await eventually(async () => {
      const live = await livePods('edge');
      return live.length === 2 && live.every((p) => p.ready && p.name !== doomed!.name);
    }, 120_000);
  });

  it('rolls every service to a new image while customers check out: the rollouts complete, no checkout is lost, each order ends once', async function () {
    this.timeout(900_000);
    const services = [...SHOP_SERVICES];
    // The same content under a new reference is a new image to the kubelet and the Deployments: each
    // rolls its pods one at a time (surge 1, none unavailable), every old pod stopped gracefully.
    const next = Object.fromEntries(
      await Promise.all(
        services.map(async (s) => [s, await retagImage(images[s]!, `${images[s]!.split(':').at(-1)}-next`)]),
      ),
    ) as Record<string, string>;
    const before = new Set((await podStates(namespace)).map((p) => p.name));
    const shopGeneration = async () =>
      JSON.parse(await kubectl(['get', 'shop', 'shop', '-n', namespace, '-o', 'json'])) as {
        metadata: { generation: number };
        status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
      };
    const rollout = async () => {
      await patchShop({ services: Object.fromEntries(services.map((s) => [s, { image: next[s] }])) });
      // Until the operator has applied the new templates, a rollout status would report the old one done.
      const { apps } = kubeClients();
      await eventually(async () => {
        const { items } = await apps.listNamespacedDeployment({ namespace });
        return services.every((s) =>
          items
            .find((d) => d.metadata?.name === `shop-${s}`)
            ?.spec?.template.spec?.containers.some((c) => c.image === next[s]),
        );
      }, 120_000);
      await Promise.all(
        services.map((s) =>
          kubectl(['rollout', 'status', `deployment/shop-${s}`, '-n', namespace, '--timeout=600s']),
        ),
      );
    };
    const round = await checkoutRound(4, 1);
    const placed = await round.place(rollout, { most: 7 });
    console.log(
      `      ${placed.flat().length} checkouts, ${round.placedDuring()} of them answered while the services rolled`,
    );
    assert.ok(round.placedDuring() > 0, 'checkouts ran during the rollout');
    await round.eachOrderEndedOnce(placed);

    // The shop reports Ready for the new generation, and every service's pods are new ones on the new image.
    await eventually(async () => {
      const shop = await shopGeneration();
      const ready = shop.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && ready.observedGeneration === shop.metadata.generation;
    }, 120_000);
    const servicePods = async () =>
      (await podStates(namespace)).filter((p) => (services as string[]).includes(p.component));
    const left = (pods: Awaited<ReturnType<typeof servicePods>>) =>
      pods.filter((p) => p.deleting || !p.ready || before.has(p.name) || p.images[0] !== next[p.component]);
    // An old pod may still be finishing its graceful stop when its Deployment reports the rollout done.
    const pods = await eventually(async () => {
      const now = await servicePods();
      return left(now).length === 0 && now;
    }, 180_000).catch(async () => servicePods());
    assert.deepEqual(left(pods), [], 'every service pod replaced, on the new image, ready');
    assert.deepEqual([...new Set(pods.map((p) => p.component))].sort(), [...services].sort());
  });
});
