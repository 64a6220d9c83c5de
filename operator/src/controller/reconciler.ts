// One reconcile of one ShopDeployment: render what it should own, apply what differs, delete what it
// no longer wants, then write the status if it changed. Reads come from the informers' caches, so a
// reconcile of an up-to-date shop sends nothing to the API server.
import type { Logger } from 'pino';
import { KIND, SHOP_LABEL } from '../api/constants.js';
import { parseShopDeployment } from '../api/parse.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import type { ShopDeploymentStatus } from '../api/status.js';
import type { KubeClient } from '../kube/client.js';
import { isNotFound, KubeApiError } from '../kube/errors.js';
import type { Informer } from '../kube/informer.js';
import { DEPLOYMENTS, keyOf, type ResourceType, SECRETS, SERVICES, typeOf } from '../kube/resources.js';
import { contentHash } from '../render/hash.js';
import { childName, type RenderContext, renderShop } from '../render/index.js';
import { CertificateChecks } from './certificate-checks.js';
import { type CertificatePolicy, planPki } from './certificates.js';
import { AppliedMemo, isSubset } from './drift.js';
import type { EventRecorder } from './events.js';
import { computeStatus, type DeploymentState, edgeEndpoint, sameStatus } from './status.js';

export interface ReconcilerDeps {
  client: KubeClient;
  shops: Informer;
  children: Map<ResourceType, Informer>;
  events: EventRecorder;
  render: RenderContext;
  log: Logger;
  /** Lifetimes of the services' certificates (controller/certificates.ts has the defaults). */
  certificates?: CertificatePolicy;
}

export interface ReconcileResult {
  applied: number;
  deleted: number;
  statusWritten: boolean;
}

const childKey = (object: KubeObject) => `${object.apiVersion}/${object.kind}/${keyOf(object)}`;

/** The shop a reconcile read was deleted, or replaced by another of the same name, while it ran. */
class StaleShop extends Error {}

export class Reconciler {
  private readonly memo = new AppliedMemo();
  private readonly checks = new CertificateChecks();

  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const raw = this.deps.shops.get(namespace, name);
    const result: ReconcileResult = { applied: 0, deleted: 0, statusWritten: false };
    // Gone or going: the garbage collector removes the children through their ownerReferences.
    if (!raw || raw.metadata.deletionTimestamp) {
      this.forget(key);
      return result;
    }
    const parsed = parseShopDeployment(raw);
    if (!parsed.ok) {
      const shop = raw as unknown as ShopDeployment;
      result.statusWritten = await this.writeStalled(shop, 'InvalidSpec', parsed.message);
      return result;
    }
    const shop = parsed.shop;
    const secrets = this.deps.children.get(SECRETS);
    const { pki, issued } = await planPki(
      shop,
      (secret) => secrets?.get(shop.metadata.namespace, secret),
      new Date(),
      this.deps.certificates,
      this.checks,
    );
    if (issued.length > 0) {
      this.deps.log.info({ shop: key, issued }, 'issued gRPC certificates');
      await this.deps.events.record(shop, 'Normal', 'CertificatesIssued', `issued ${issued.join(', ')}`);
    }
    const desired = renderShop(shop, { ...this.deps.render, pki });
    let stalled: { reason: string; message: string } | undefined;
    try {
      await this.applyAll(shop, desired, result);
      result.deleted = await this.pruneUnwanted(shop, desired);
    } catch (error) {
      if (error instanceof StaleShop) {
        // Its children would carry an owner that is gone (the collector would delete them, or the new
        // shop's of that name); the deletion or the new shop has queued the key again.
        this.deps.log.info(
          { shop: key, uid: shop.metadata.uid },
          'shop replaced or deleted, reconcile dropped',
        );
        this.forget(key);
        return result;
      }
      if (!(error instanceof KubeApiError && error.permanent)) throw error;
      // The API server refuses what the spec asks for (e.g. a quota or an admission policy): retrying the
      // same request cannot help, so say so in the status; the key is still retried with backoff.
      stalled = { reason: 'ApplyRejected', message: error.message };
      await this.deps.events.record(shop, 'Warning', 'ApplyRejected', error.message);
    }
    const status = computeStatus({
      shop,
      deployments: this.deploymentStates(shop, desired),
      stalled,
      edgeUrl: edgeEndpoint(
        shop,
        this.deps.children.get(SERVICES)?.get(shop.metadata.namespace, childName(shop, 'edge')),
      ),
      now: now(),
    });
    // The status of this shop, never of another that took its name meanwhile.
    result.statusWritten = this.isCurrent(shop) && (await this.writeStatus(shop, status));
    if (stalled) throw new KubeApiError(422, 'ApplyRejected', stalled.message);
    return result;
  }

  /** What was remembered about a shop that is gone. */
  private forget(key: string): void {
    this.memo.forget(key);
    this.checks.forget(key);
  }

  /** The cache still holds the shop this reconcile read: not deleted, nor re-created under its name. */
  private isCurrent(shop: ShopDeployment): boolean {
    const cached = this.deps.shops.get(shop.metadata.namespace, shop.metadata.name);
    return cached?.metadata.uid === shop.metadata.uid && !cached.metadata.deletionTimestamp;
  }

  private async applyAll(
    shop: ShopDeployment,
    desired: KubeObject[],
    result: ReconcileResult,
  ): Promise<void> {
    const shopKey = keyOf(shop);
    const changed: string[] = [];
    const created: string[] = [];
    for (const object of desired) {
      const informer = this.informerFor(object);
      const observed = informer.get(object.metadata.namespace ?? '', object.metadata.name);
      const hash = contentHash(JSON.stringify(object));
      const key = childKey(object);
      if (
        observed &&
        (this.memo.isCurrent(shopKey, key, hash, observed.metadata.resourceVersion) ||
          isSubset(informer.cacheForm(object), observed))
      ) {
        continue;
      }
      // Each apply waits on the API server, and meanwhile the shop may go: checked before every one.
      if (!this.isCurrent(shop)) throw new StaleShop();
      const applied = await this.deps.client.apply(object);
      result.applied++;
      applied.apiVersion = object.apiVersion;
      applied.kind = object.kind;
      informer.remember(applied);
      this.memo.record(shopKey, key, hash, applied.metadata.resourceVersion);
      (observed ? changed : created).push(`${object.kind} ${object.metadata.name}`);
    }
    if (created.length > 0) {
      await this.deps.events.record(shop, 'Normal', 'Created', `created ${created.join(', ')}`);
    }
    if (changed.length > 0) {
      await this.deps.events.record(shop, 'Normal', 'Updated', `applied ${changed.join(', ')}`);
    }
  }

  /** Deletes children this shop controls but no longer renders (e.g. a PDB after scaling to one). */
  private async pruneUnwanted(shop: ShopDeployment, desired: KubeObject[]): Promise<number> {
    const wanted = new Set(desired.map(childKey));
    const removed: string[] = [];
    for (const informer of this.deps.children.values()) {
      for (const object of informer.list()) {
        if (object.metadata.namespace !== shop.metadata.namespace) continue;
        if (object.metadata.labels?.[SHOP_LABEL] !== shop.metadata.name) continue;
        const owner = object.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === KIND);
        if (owner?.uid !== shop.metadata.uid || wanted.has(childKey(object))) continue;
        try {
          await this.deps.client.delete(object);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
        removed.push(`${object.kind} ${object.metadata.name}`);
      }
    }
    if (removed.length > 0)
      await this.deps.events.record(shop, 'Normal', 'Deleted', `deleted ${removed.join(', ')}`);
    return removed.length;
  }

  private deploymentStates(shop: ShopDeployment, desired: KubeObject[]): DeploymentState[] {
    const deployments = this.deps.children.get(DEPLOYMENTS);
    return desired
      .filter((object) => object.kind === 'Deployment')
      .map((object) => ({
        component: object.metadata.labels?.['app.kubernetes.io/component'] ?? object.metadata.name,
        desired: (object.spec as { replicas: number }).replicas,
        observed: deployments?.get(shop.metadata.namespace, object.metadata.name),
      }));
  }

  private async writeStatus(shop: ShopDeployment, status: ShopDeploymentStatus): Promise<boolean> {
    if (sameStatus(shop.status, status)) return false;
    const before = shop.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const after = status.conditions?.find((c) => c.type === 'Ready');
    try {
      this.deps.shops.remember(await this.deps.client.patchStatus(shop, status));
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    if (after && after.status !== before && (after.status === 'True' || before === 'True')) {
      const type = after.status === 'True' ? 'Normal' : 'Warning';
      await this.deps.events.record(
        shop,
        type,
        after.status === 'True' ? 'Ready' : 'NotReady',
        after.message,
      );
    }
    return true;
  }

  private async writeStalled(shop: ShopDeployment, reason: string, message: string): Promise<boolean> {
    const status = computeStatus({
      shop,
      deployments: [],
      stalled: { reason, message },
      edgeUrl: undefined,
      now: now(),
    });
    const changed = await this.writeStatus(shop, { ...status, components: [], readyServices: '0/0' });
    if (changed) await this.deps.events.record(shop, 'Warning', reason, message);
    return changed;
  }

  private informerFor(object: KubeObject): Informer {
    const informer = this.deps.children.get(typeOf(object));
    if (!informer) throw new Error(`no informer for ${object.kind}`);
    return informer;
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
