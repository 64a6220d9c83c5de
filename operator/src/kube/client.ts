// The operator's door to the API server. @kubernetes/client-node carries every request: its object API
// (paths from discovery, authentication, connections) and its Watch. What the operator adds is here:
// - every mutating request passes one middleware that counts it (the "0 writes in steady state" figure);
// - objects go out and come back as the API server writes them (plain JSON): client-node's own write
//   methods send through its typed models, which rename fields (a NetworkPolicy rule's `from` is
//   `_from` there) and would drop the rendered one, and its reads turn timestamps into Dates;
// - a non-2xx answer is a KubeApiError with its Status reason; a request gets 30 s to answer;
// - a watch that sends nothing for idleSeconds (a half-dead connection) is abandoned.
import {
  createConfiguration,
  HttpMethod,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type ResponseContext,
  ServerConfiguration,
  Watch,
} from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../api/constants.js';
import type { KubeObject } from '../api/shop-deployment.js';
import { fromStatus, KubeApiError } from './errors.js';
import type { SharedConnectionsKubeConfig } from './kubeconfig.js';
import { collectionPath, type ResourceType } from './resources.js';

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

interface Send {
  body: unknown;
  contentType?: string;
  query?: Record<string, string>;
  subresource?: string;
}

/** client-node's object API with bodies sent and answers returned as plain JSON. */
class ObjectApi extends KubernetesObjectApi {
  async send<T>(method: HttpMethod, object: ApiObject, { body, contentType, query, subresource }: Send) {
    const action = method === HttpMethod.POST ? 'create' : 'replace';
    const target = await this.specUriPath(object as KubernetesObject, action);
    const path = subresource ? `${target}/${subresource}` : target;
    const context = this.configuration.baseServer.makeRequestContext(path, method);
    context.setHeaderParam('Accept', 'application/json');
    context.setHeaderParam('Content-Type', contentType ?? 'application/json');
    for (const [name, value] of Object.entries(query ?? {})) context.setQueryParam(name, value);
    context.setBody(JSON.stringify(body));
    return (await this.requestPromise(context)) as T;
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw fromStatus(response.httpStatusCode, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export class KubeClient {
  private readonly objects: ObjectApi;

  constructor(
    private readonly config: SharedConnectionsKubeConfig,
    onWrite: WriteObserver = () => {},
  ) {
    const server = config.getCurrentCluster()?.server;
    if (!server) throw new Error('kubeconfig: no current cluster');
    this.objects = new ObjectApi(
      createConfiguration({
        baseServer: new ServerConfiguration(server, {}),
        authMethods: { default: config },
        promiseMiddleware: [
          {
            pre: async (context) => {
              const method = context.getHttpMethod();
              if (WRITE_VERBS.has(method)) onWrite(method, new URL(context.getUrl()).pathname);
              // Without a deadline a request on a half-dead connection would wait undici's 5 minutes.
              context.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
              return context;
            },
            post: async (response) => response,
          },
        ],
      }),
    );
  }

  /** Closes the keep-alive connections (tests, shutdown). */
  close(): Promise<void> {
    return this.config.close();
  }

  /** One page of a list across all namespaces (or one). */
  list(
    resource: ResourceType,
    options: { labelSelector?: string; limit?: number; continue?: string; namespace?: string } = {},
  ): Promise<ListPage> {
    const { labelSelector, limit, namespace } = options;
    const [pretty, exact, exportt, fieldSelector] = [undefined, undefined, undefined, undefined];
    const page = this.objects.list(
      resource.apiVersion,
      resource.kind,
      namespace,
      pretty,
      exact,
      exportt,
      fieldSelector,
      labelSelector,
      limit,
      options.continue,
    );
    return page as Promise<unknown> as Promise<ListPage>;
  }

  read<T = KubeObject>(resource: ResourceType, namespace: string, name: string): Promise<T> {
    const { apiVersion, kind } = resource;
    return this.objects.read({ apiVersion, kind, metadata: { name, namespace } }) as Promise<T>;
  }

  create<T extends ApiObject>(object: T): Promise<T> {
    return this.objects.send<T>(HttpMethod.POST, object, { body: object });
  }

  /** PUT: fails with 409 Conflict when the object's resourceVersion is not the current one. */
  replace<T extends ApiObject>(object: T): Promise<T> {
    return this.objects.send<T>(HttpMethod.PUT, object, { body: object });
  }

  /** Server-side apply with the operator's single field manager. */
  apply(object: KubeObject): Promise<KubeObject> {
    return this.objects.send<KubeObject>(HttpMethod.PATCH, object, {
      body: object,
      contentType: PatchStrategy.ServerSideApply,
      // force: the operator owns these fields; a hand edit of them is drift to revert, not a conflict.
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
    });
  }

  /** Merges `status` into the object's status subresource. */
  patchStatus(object: ApiObject, status: unknown): Promise<KubeObject> {
    return this.objects.send<KubeObject>(HttpMethod.PATCH, object, {
      body: { status },
      contentType: PatchStrategy.MergePatch,
      subresource: 'status',
    });
  }

  /** Deletes the object if it is still the one with this uid; the collector removes its dependents. */
  async delete(object: KubeObject): Promise<void> {
    await this.objects.send(HttpMethod.DELETE, object, {
      body: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Background',
        preconditions: { uid: object.metadata.uid },
      },
    });
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

/** A watch that could not start answers with a bare status code. */
function toKubeError(error: unknown): unknown {
  const status = (error as { statusCode?: number }).statusCode;
  return status ? new KubeApiError(status, (error as Error).message, 'watch refused') : error;
}
