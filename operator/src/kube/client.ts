// The operator's door to the API server. @kubernetes/client-node's KubeConfig authenticates every
// request and gives it its connections (kubeconfig.ts), its HTTP library sends it, and its Watch
// streams watches. What the operator adds is here:
// - paths built from the kinds it knows (resources.ts), not client-node's object API, which asks the
//   API server's discovery for them and pulls in client-node's generated models (tens of MiB);
// - every mutating request is counted (the "0 writes in steady state" figure);
// - objects go out and come back as the API server writes them (plain JSON): client-node's typed
//   models rename fields (a NetworkPolicy rule's `from` is `_from` there) and turn timestamps into Dates;
// - a non-2xx answer is a KubeApiError with its Status reason; a request gets 30 s to answer, and
//   ends early when the caller's signal aborts;
// - a watch that sends nothing for idleSeconds (a half-dead connection) is abandoned.
// Its modules are imported by their paths in the package, never from its index, which loads the
// whole generated API (see scripts/gen-kube-config.mjs).
import { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import { FIELD_MANAGER } from '../api/constants.js';
import type { KubeObject } from '../api/shop-deployment.js';
import { fromStatus, KubeApiError } from './errors.js';
import type { SharedConnectionsKubeConfig } from './kubeconfig.js';
import { collectionPath, objectPath, type ResourceType, typeOf } from './resources.js';

/** Called for every mutating request, so the operator can count its API writes. */
export type WriteObserver = (verb: string, path: string) => void;

export interface ListPage {
  metadata: { resourceVersion: string; continue?: string };
  items: KubeObject[];
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/** What a write needs of an object: its kind and where it is (a create may name it by generateName). */
export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; namespace?: string; uid?: string };
}

export type WatchQuery = Record<string, string | number | boolean | undefined>;

const WRITE_VERBS = new Set<string>([HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE]);
const REQUEST_TIMEOUT_MS = 30_000;

interface Request {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export class KubeClient {
  private readonly server: string;
  private readonly http = new IsomorphicFetchHttpLibrary();

  constructor(
    private readonly config: SharedConnectionsKubeConfig,
    private readonly onWrite: WriteObserver = () => {},
  ) {
    const server = config.getCurrentCluster()?.server;
    if (!server) throw new Error('kubeconfig: no current cluster');
    this.server = server.replace(/\/+$/, '');
  }

  /** Closes the keep-alive connections (tests, shutdown). */
  close(): Promise<void> {
    return this.config.close();
  }

  /** One page of a list across all namespaces (or one). */
  list(
    resource: ResourceType,
    options: {
      labelSelector?: string;
      limit?: number;
      continue?: string;
      namespace?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<ListPage> {
    const { labelSelector, limit, namespace, signal } = options;
    const path = namespace === undefined ? collectionPath(resource) : objectPath(resource, namespace);
    return this.request<ListPage>(HttpMethod.GET, path, {
      query: { labelSelector, limit, continue: options.continue },
      signal,
    });
  }

  read<T = KubeObject>(resource: ResourceType, namespace: string, name: string): Promise<T> {
    return this.request<T>(HttpMethod.GET, objectPath(resource, namespace, name));
  }

  create<T extends ApiObject>(object: T): Promise<T> {
    return this.request<T>(HttpMethod.POST, pathOf(object, false), { body: object });
  }

  /** PUT: fails with 409 Conflict when the object's resourceVersion is not the current one. */
  replace<T extends ApiObject>(object: T): Promise<T> {
    return this.request<T>(HttpMethod.PUT, pathOf(object), { body: object });
  }

  /** Server-side apply with the operator's single field manager. */
  apply(object: KubeObject): Promise<KubeObject> {
    return this.request<KubeObject>(HttpMethod.PATCH, pathOf(object), {
      body: object,
      contentType: PatchStrategy.ServerSideApply,
      // force: the operator owns these fields; a hand edit of them is drift to revert, not a conflict.
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
    });
  }

  /** Merges `status` into the object's status subresource. */
  patchStatus(object: ApiObject, status: unknown): Promise<KubeObject> {
    return this.request<KubeObject>(HttpMethod.PATCH, `${pathOf(object)}/status`, {
      body: { status },
      contentType: PatchStrategy.MergePatch,
    });
  }

  /** Deletes the object if it is still the one with this uid; the collector removes its dependents. */
  async delete(object: KubeObject): Promise<void> {
    await this.request(HttpMethod.DELETE, pathOf(object), {
      body: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Background',
        preconditions: { uid: object.metadata.uid },
      },
    });
  }

  private async request<T>(method: HttpMethod, path: string, request: Request = {}): Promise<T> {
    const context = new RequestContext(this.server + path, method);
    context.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined && value !== '') context.setQueryParam(name, String(value));
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    await this.config.applySecurityAuthentication(context);
    if (WRITE_VERBS.has(method)) this.onWrite(method, path);
    // Without a deadline a request on a half-dead connection would wait undici's 5 minutes.
    const deadline = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    context.setSignal(request.signal ? AbortSignal.any([request.signal, deadline]) : deadline);
    const response = await this.http.send(context).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw fromStatus(response.httpStatusCode, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Streams a watch: calls onEvent for each event until the server ends the watch (resolves), the signal
   * aborts, onEvent throws, or nothing arrives for idleSeconds (rejects).
   */
  watch(
    resource: ResourceType,
    query: WatchQuery,
    idleSeconds: number,
    signal: AbortSignal,
    onEvent: (event: WatchEvent) => void,
  ): Promise<void> {
    const watch = new Watch(this.config);
    // client-node's Watch abandons a connection silent for 30 s, a private setting with no option;
    // a quiet watch is silent for up to a minute between bookmarks, so the caller's limit replaces it.
    if (!('requestTimeoutMs' in watch)) throw new Error('client-node Watch: requestTimeoutMs is gone');
    Object.assign(watch, { requestTimeoutMs: idleSeconds * 1000 });
    let controller: AbortController | undefined;
    let failure: unknown;
    const stop = () => controller?.abort();
    return new Promise<void>((resolve, reject) => {
      const done = (error: unknown) => {
        signal.removeEventListener('abort', stop);
        if (failure !== undefined) reject(failure);
        else if (!error) resolve();
        else if (signal.aborted) reject(signal.reason);
        else if ((error as Error).name === 'TimeoutError') reject(new Error('connection went silent'));
        else reject(toKubeError(error));
      };
      signal.addEventListener('abort', stop, { once: true });
      const deliver = (type: string, object: WatchEvent['object']) => {
        if (failure !== undefined) return;
        try {
          onEvent({ type, object } as WatchEvent);
        } catch (error) {
          // client-node drops what a callback throws; the watch ends here instead.
          failure = error;
          stop();
        }
      };
      watch.watch(collectionPath(resource), query, deliver, done).then((started) => {
        controller = started;
        if (failure !== undefined || signal.aborted) started.abort();
      }, reject);
    });
  }
}

/** The object's path, or (named: false, a create) its collection's; every kind here is namespaced. */
function pathOf(object: ApiObject, named = true): string {
  const { namespace, name } = object.metadata;
  if (!namespace) throw new Error(`${object.kind} ${name ?? ''}: no namespace`);
  if (named && !name) throw new Error(`${object.kind} in ${namespace}: no name`);
  return objectPath(typeOf(object), namespace, named ? name : undefined);
}

/** A watch that could not start answers with a bare status code. */
function toKubeError(error: unknown): unknown {
  const status = (error as { statusCode?: number }).statusCode;
  return status ? new KubeApiError(status, (error as Error).message, 'watch refused') : error;
}
