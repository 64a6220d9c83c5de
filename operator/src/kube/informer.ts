// List + watch with a local cache, as client-go's reflector and informer do:
// - list (paged), then watch from the list's resourceVersion with bookmarks;
// - a watch that ends is resumed from the last seen resourceVersion; one that is too old (410 Gone)
//   or any failure after a backoff leads to a fresh list, diffed against the cache;
// - the server closes each watch after watchTimeoutSeconds, and the client gives up on a connection
//   silent for longer than that, so a half-dead TCP connection cannot stall the informer;
// - every relistSeconds a full relist re-delivers every object (resync), so missed events heal;
// - stopping it (the signal) aborts the list or watch in flight, so no request outlives it.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/shop-deployment.js';
import type { KubeClient, WatchEvent } from './client.js';
import { isGone, KubeApiError } from './errors.js';
import { keyOf, type ResourceType } from './resources.js';

export type InformerEvent = 'added' | 'modified' | 'deleted' | 'resync';
export type InformerHandler = (event: InformerEvent, object: KubeObject) => void;

export interface InformerOptions {
  labelSelector?: string;
  relistSeconds: number;
  watchTimeoutSeconds: number;
  pageSize?: number;
  log: Logger;
  /** Counts watch restarts and relists, by reason. */
  onRestart?: (reason: 'relist' | 'gone' | 'error' | 'ended') => void;
  /**
   * What the cache keeps of each object beyond dropping managedFields (as client-go's SetTransform),
   * e.g. a digest instead of large data nothing reads (digest-data.ts). Compare with cacheForm().
   */
  transform?: (object: KubeObject) => KubeObject;
}

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: InformerHandler[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: KubeClient,
    readonly resource: ResourceType,
    private readonly options: InformerOptions,
  ) {}

  onEvent(handler: InformerHandler): void {
    this.handlers.push(handler);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  get size(): number {
    return this.cache.size;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Records an object the operator itself just wrote, so reads right after a write see it. */
  remember(object: KubeObject): void {
    this.cache.set(keyOf(object), this.keep(object));
  }

  /** An object (e.g. a rendered one) in the form the cache keeps, to compare with what get() returns. */
  cacheForm(object: KubeObject): KubeObject {
    return this.options.transform ? this.options.transform(object) : object;
  }

  private keep(object: KubeObject): KubeObject {
    return this.cacheForm(slim(object));
  }

  /** Runs until the signal aborts. Never throws: every failure ends in a retry. */
  async run(signal: AbortSignal): Promise<void> {
    let resourceVersion: string | undefined;
    let listedAt = 0;
    let failures = 0;
    const relistMs = this.options.relistSeconds * 1000;
    while (!signal.aborted) {
      // Ends the current watch when the next periodic relist is due.
      let relistDue: AbortSignal | undefined;
      try {
        if (!resourceVersion || Date.now() - listedAt >= relistMs) {
          if (resourceVersion) this.options.onRestart?.('relist');
          resourceVersion = await this.relist(signal);
          listedAt = Date.now();
        }
        relistDue = AbortSignal.timeout(Math.max(1, listedAt + relistMs - Date.now()));
        resourceVersion = await this.watch(resourceVersion, AbortSignal.any([signal, relistDue]));
        failures = 0;
        this.options.onRestart?.('ended');
      } catch (error) {
        if (signal.aborted) return;
        if (relistDue?.aborted) continue;
        if (isGone(error)) {
          this.options.log.info({ resource: this.resource.plural }, 'watch too old, relisting');
          this.options.onRestart?.('gone');
          resourceVersion = undefined;
          continue;
        }
        failures++;
        this.options.onRestart?.('error');
        // After repeated failures relist: the server may have lost the watch cache (e.g. a restart).
        if (failures > 2) resourceVersion = undefined;
        const delay = Math.min(200 * 2 ** failures, 10_000);
        this.options.log.warn(
          { resource: this.resource.plural, err: (error as Error).message, retryInMs: delay },
          'list/watch failed',
        );
        await sleep(delay, signal);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<string> {
    const seen = new Map<string, KubeObject>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.list(this.resource, {
        labelSelector: this.options.labelSelector,
        limit: this.options.pageSize ?? 500,
        continue: continueToken,
        signal,
      });
      for (const item of page.items) {
        item.apiVersion = this.resource.apiVersion;
        item.kind = this.resource.kind;
        seen.set(keyOf(item), this.keep(item));
      }
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken);
    this.replace(seen);
    return resourceVersion;
  }

  /** Swaps in a fresh list and tells handlers what changed; unchanged objects are re-delivered as resync. */
  private replace(fresh: Map<string, KubeObject>): void {
    const previous = new Map(this.cache);
    this.cache.clear();
    for (const [key, object] of fresh) this.cache.set(key, object);
    for (const [key, object] of fresh) {
      const old = previous.get(key);
      if (!old) this.emit('added', object);
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion)
        this.emit('modified', object);
      else this.emit('resync', object);
    }
    for (const [key, object] of previous) if (!fresh.has(key)) this.emit('deleted', object);
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private async watch(from: string, signal: AbortSignal): Promise<string> {
    let resourceVersion = from;
    const timeout = this.options.watchTimeoutSeconds;
    await this.client.watch(
      this.resource,
      {
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: timeout,
        labelSelector: this.options.labelSelector,
      },
      // The server ends the watch after `timeoutSeconds`; silence well beyond that means a dead connection.
      timeout + Math.min(15, timeout),
      signal,
      (event: WatchEvent) => {
        if (event.type === 'ERROR') {
          const status = event.object;
          throw new KubeApiError(
            status.code ?? 500,
            status.reason ?? 'Unknown',
            status.message ?? 'watch error',
          );
        }
        resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
        if (event.type === 'BOOKMARK') return;
        const object = this.keep({
          ...event.object,
          apiVersion: this.resource.apiVersion,
          kind: this.resource.kind,
        });
        const key = keyOf(object);
        if (event.type === 'DELETED') {
          this.cache.delete(key);
          this.emit('deleted', object);
        } else {
          this.cache.set(key, object);
          this.emit(event.type === 'ADDED' ? 'added' : 'modified', object);
        }
      },
    );
    return resourceVersion;
  }

  private emit(event: InformerEvent, object: KubeObject): void {
    for (const handler of this.handlers) {
      try {
        handler(event, object);
      } catch (error) {
        this.options.log.error({ err: error }, 'informer handler failed');
      }
    }
  }
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What the cache keeps of an object: everything but its managedFields and kubectl's last-applied
 * copy, which nothing here reads and which are most of an object's size (as client-go's informers
 * are told to drop them). With 200 shops of 13 children they were most of the operator's memory.
 */
function slim(object: KubeObject): KubeObject {
  const metadata = object.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  if (metadata.managedFields === undefined && metadata.annotations?.[LAST_APPLIED] === undefined)
    return object;
  const { managedFields: _, ...rest } = metadata;
  if (rest.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: __, ...annotations } = rest.annotations;
    rest.annotations = annotations;
  }
  return { ...object, metadata: rest };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
