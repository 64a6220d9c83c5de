// A reconcile reads its shop from the cache and then applies for a while; the shop may be deleted and
// created again under the same name meanwhile. The reconcile of the old shop must then stop: its
// children would name an owner that is gone, and the garbage collector would delete them, even those
// the new shop owns. Shown on the real API server, the shop replaced between two of the reconcile's applies.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { FIELD_MANAGER, MANAGED_BY_LABEL, SHARD_LABEL, SHOP_SERVICES } from '../../src/api/constants.js';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { EventRecorder } from '../../src/controller/events.js';
import { Reconciler } from '../../src/controller/reconciler.js';
import { KubeClient } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { CHILD_TYPES, DEPLOYMENTS, type ResourceType, SHOP_DEPLOYMENTS } from '../../src/kube/resources.js';
import { clusterEnv, eventually, getObject, installCrds, kubectl, suffix } from '../support/cluster.js';
import { smallShopObject } from '../support/fixtures.js';

/** The operator's client, with a step run once right after its first server-side apply returns. */
class ClientWithPause extends KubeClient {
  applies = 0;
  afterFirstApply: (() => Promise<void>) | undefined;

  override async apply(object: KubeObject): Promise<KubeObject> {
    const reply = await super.apply(object);
    this.applies++;
    const step = this.afterFirstApply;
    this.afterFirstApply = undefined;
    await step?.();
    return reply;
  }
}

describe('a reconcile of a shop deleted and created again while it runs', function () {
  this.timeout(120_000);
  const ns = `op-stale-${suffix()}`;
  const abort = new AbortController();
  const client = new ClientWithPause(loadKubeConfig(clusterEnv().kubeconfig));
  const log = pino({ level: 'silent' });
  const informer = (type: ResourceType, labelSelector: string) =>
    new Informer(client, type, { labelSelector, relistSeconds: 300, watchTimeoutSeconds: 60, log });
  const shops = informer(SHOP_DEPLOYMENTS, `${SHARD_LABEL}=${ns}`);
  const children = new Map(
    CHILD_TYPES.map((type) => [
      type,
      informer(type, `${MANAGED_BY_LABEL}=${FIELD_MANAGER},${SHARD_LABEL}=${ns}`),
    ]),
  );
  const reconciler = new Reconciler({
    client,
    shops,
    children,
    events: new EventRecorder(client, 'stale-test', log),
    render: { dashboards: {} },
    log,
  });
  // Nothing runs: every Deployment at zero, so only API objects are made.
  const small = smallShopObject('shop', ns, 0);
  const shopManifest = JSON.stringify({
    ...small,
    metadata: { ...small.metadata, namespace: ns },
    spec: {
      ...(small.spec as Record<string, unknown>),
      services: Object.fromEntries(SHOP_SERVICES.map((s) => [s, { replicas: 0 }])),
      edge: { replicas: 0 },
    },
  });
  const cachedUid = () => shops.get(ns, 'shop')?.metadata.uid;
  const ownersOfDeployments = async () => {
    const list = await client.list(DEPLOYMENTS, { namespace: ns });
    return new Set(list.items.flatMap((d) => (d.metadata.ownerReferences ?? []).map((ref) => ref.uid)));
  };

  before(async () => {
    await installCrds();
    await kubectl(['create', 'namespace', ns]);
    for (const one of [shops, ...children.values()]) void one.run(abort.signal);
    await Promise.all([shops, ...children.values()].map((one) => one.waitForSync()));
  });

  after(async () => {
    abort.abort();
    await client.close();
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('stops applying once the cache holds the new shop, writes no status onto it, and the next reconcile gives the new shop its children', async () => {
    await kubectl(['apply', '-f', '-'], shopManifest);
    const oldUid = await eventually('the shop in the cache', cachedUid);
    let newUid: string | undefined;
    client.afterFirstApply = async () => {
      await kubectl(['delete', 'shopdeployment', 'shop', '-n', ns, '--wait=true']);
      await kubectl(['apply', '-f', '-'], shopManifest);
      newUid = await eventually('the new shop in the cache', () => cachedUid() !== oldUid && cachedUid());
    };

    const stale = await reconciler.reconcile(`${ns}/shop`);
    assert.ok(newUid && newUid !== oldUid, 'the shop was replaced during the reconcile');
    assert.equal(client.applies, 1, 'no apply after the shop was replaced');
    assert.deepEqual(stale, { applied: 1, deleted: 0, statusWritten: false });
    const replaced = await getObject<KubeObject>(
      `/apis/shopstack.io/v1alpha1/namespaces/${ns}/shopdeployments/shop`,
    );
    assert.equal(replaced?.metadata.uid, newUid);
    assert.equal(replaced?.status, undefined, "the old shop's status is not written onto the new one");

    // The new shop's own reconcile (its creation queued it) makes every child, each owned by it.
    const fresh = await reconciler.reconcile(`${ns}/shop`);
    assert.ok(fresh.applied > 1 && fresh.statusWritten, JSON.stringify(fresh));
    const owners = await ownersOfDeployments();
    assert.ok(owners.has(newUid), 'the Deployments are owned by the new shop');
    assert.ok(children.get(DEPLOYMENTS)!.size > 0);
  });
});
