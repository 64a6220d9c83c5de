// A small Kubernetes REST client over node:https, so that server-side apply, watch streaming and the
// counting of writes are explicit. One keep-alive agent carries every request.
import https from 'node:https';
import { KubeApiError } from './errors.js';
import type { ClusterAccess } from './kubeconfig.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Seconds without a byte of response before the request is abandoned (default 30). */
  idleTimeoutSeconds?: number;
}

/** Called for every mutating request, so the operator can count its API writes. */
export type WriteObserver = (verb: string, path: string) => void;

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class KubeClient {
  private readonly server: URL;
  private readonly agent: https.Agent;

  constructor(
    private readonly access: ClusterAccess,
    private readonly onWrite: WriteObserver = () => {},
  ) {
    this.server = new URL(access.server);
    // TLS material comes with each request (authenticate); the agent keys its pool by it.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** Closes idle keep-alive connections (tests, shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private async options(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<https.RequestOptions> {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const request: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      agent: this.agent,
    };
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      // Explicit length: Node sends DELETE bodies neither chunked nor sized, which would leave the
      // body on the keep-alive connection to corrupt the next request.
      headers['Content-Length'] = String(Buffer.byteLength(serialize(options.body)));
    }
    request.headers = headers;
    await this.access.authenticate(request);
    return request;
  }

  /** Sends one request and parses the JSON answer; non-2xx answers throw KubeApiError. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    if (WRITE_VERBS.has(method)) this.onWrite(method, path);
    const response = await this.open(method, path, options);
    const text = await readAll(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toError(status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Streams a watch: calls onEvent for each JSON line until the server closes the stream, the signal
   * aborts, or nothing arrives for idleTimeoutSeconds (a silent, half-dead connection).
   */
  async stream(path: string, options: RequestOptions, onEvent: (event: unknown) => void): Promise<void> {
    const response = await this.open('GET', path, options);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toError(status, await readAll(response));
    let buffer = '';
    response.setEncoding('utf8');
    for await (const chunk of response) {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) onEvent(JSON.parse(line));
        newline = buffer.indexOf('\n');
      }
    }
  }

  private async open(method: string, path: string, options: RequestOptions) {
    const request = await this.options(method, path, options);
    return new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = https.request({ ...request, signal: options.signal }, resolve);
      req.on('error', reject);
      // Without this a request on a half-dead connection would wait forever.
      req.setTimeout((options.idleTimeoutSeconds ?? 30) * 1000, () =>
        req.destroy(new Error('connection went silent')),
      );
      if (options.body !== undefined) {
        req.write(serialize(options.body));
      }
      req.end();
    });
  }
}

function serialize(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

async function readAll(response: import('node:http').IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk;
  return text;
}

function toError(status: number, text: string): KubeApiError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, body.reason ?? 'Unknown', body.message ?? text);
  } catch {
    return new KubeApiError(status, 'Unknown', text.slice(0, 500));
  }
}
