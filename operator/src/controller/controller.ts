// The ShopDeployment controller: informers feed keys into the work queue, workers reconcile them.
import type { Logger } from 'pino';
import { FIELD_MANAGER, KIND, MANAGED_BY_LABEL, SHARD_LABEL, SHOP_LABEL } from '../api/constants.js';
import type { KubeObject } from '../api/shop-deployment.js';
import type { KubeClient } from '../kube/client.js';
import { digestData } from '../kube/digest-data.js';
import { Informer } from '../kube/informer.js';
import { CHILD_TYPES, CONFIG_MAPS, keyOf, type ResourceType, SHOP_DEPLOYMENTS } from '../kube/resources.js';
import type { RenderContext } from '../render/index.js';
import type { Metrics } from '../runtime/metrics.js';
import { EventRecorder } from './events.js';
import { Reconciler } from './reconciler.js';
import { WorkQueue } from './workqueue.js';

export interface ControllerOptions {
  client: KubeClient;
  log: Logger;
  metrics: Metrics;
  render: RenderContext;
  identity: string;
  workers: number;
  relistSeconds: number;
  watchTimeoutSeconds: number;
  shard?: string;
}

export function shardSelector(shard: string | undefined): string {
  return shard ? `${SHARD_LABEL}=${shard}` : `!${SHARD_LABEL}`;
}

/** The shop a child belongs to: its controller ownerReference, else its shop label. */
export function ownerKey(child: KubeObject): string | undefined {
  const namespace = child.metadata.namespace ?? '';
  const owner = child.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === KIND);
  const name = owner?.name ?? child.metadata.labels?.[SHOP_LABEL];
  return name ? `${namespace}/${name}` : undefined;
}

/**
 * The ConfigMaps hold rendered configuration (~100 KiB a shop for the edge alone), which the reconciler
 * only compares: the cache keeps digests of it, and a list page holds 50 of them (~5 MiB of JSON, parsed
 * whole before the digests replace it) instead of the default 500.
 */
const CONFIG_MAP_CACHE = { transform: digestData, pageSize: 50 };

export class ShopController {
  readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 300_000 });
  readonly shops: Informer;
  readonly children = new Map<ResourceType, Informer>();
  private readonly reconciler: Reconciler;

  constructor(private readonly options: ControllerOptions) {
    const { client, log, metrics } = options;
    const informerOptions = (resource: ResourceType, labelSelector?: string) => ({
      labelSelector,
      relistSeconds: options.relistSeconds,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      log,
      onRestart: (reason: string) => metrics.watchRestarts.inc({ resource: resource.plural, reason }),
    });
    this.shops = new Informer(
      client,
      SHOP_DEPLOYMENTS,
      informerOptions(SHOP_DEPLOYMENTS, shardSelector(options.shard)),
    );
    this.shops.onEvent((_event, shop) => this.enqueue(keyOf(shop)));
    for (const type of CHILD_TYPES) {
      // Only the operator's own objects: a label selector keeps the caches small in a busy cluster.
      const informer = new Informer(client, type, {
        ...informerOptions(type, `${MANAGED_BY_LABEL}=${FIELD_MANAGER},${shardSelector(options.shard)}`),
        ...(type === CONFIG_MAPS ? CONFIG_MAP_CACHE : {}),
      });
      informer.onEvent((_event, child) => {
        const key = ownerKey(child);
        if (key) this.enqueue(key);
      });
      this.children.set(type, informer);
    }
    this.reconciler = new Reconciler({
      client,
      shops: this.shops,
      children: this.children,
      events: new EventRecorder(client, options.identity, log),
      render: options.render,
      log,
    });
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.options.metrics.queueDepth.set(this.queue.depth);
  }

  get informers(): Informer[] {
    return [this.shops, ...this.children.values()];
  }

  hasSynced(): boolean {
    return this.informers.every((informer) => informer.hasSynced());
  }

  /** Runs until the signal aborts: starts the informers, waits for their first lists, then the workers. */
  async run(signal: AbortSignal): Promise<void> {
    const loops = this.informers.map((informer) => informer.run(signal));
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.race([
      Promise.all(this.informers.map((informer) => informer.waitForSync())),
      aborted(signal),
    ]);
    if (signal.aborted) return;
    this.options.log.info({ shops: this.shops.size }, 'caches synced, starting workers');
    const workers = Array.from({ length: this.options.workers }, () => this.worker());
    await Promise.all([...loops, ...workers]);
  }

  private async worker(): Promise<void> {
    const { log, metrics } = this.options;
    for (;;) {
      const key = await this.queue.get();
      metrics.queueDepth.set(this.queue.depth);
      if (key === undefined) return;
      const stopTimer = metrics.reconcileDuration.startTimer();
      try {
        const result = await this.reconciler.reconcile(key);
        this.queue.forget(key);
        metrics.reconciles.inc({ result: 'success' });
        if (result.applied || result.deleted || result.statusWritten)
          log.info({ key, ...result }, 'reconciled');
      } catch (error) {
        const delay = this.queue.addRateLimited(key);
        metrics.reconciles.inc({ result: 'error' });
        metrics.reconcileErrors.inc();
        log.warn({ key, err: (error as Error).message, retryInMs: delay }, 'reconcile failed, requeued');
      } finally {
        stopTimer();
        this.queue.done(key);
      }
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
