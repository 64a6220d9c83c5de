// Small HTTP helpers for tests that talk to a running service.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';

// biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary JSON and assert on its shape
export type Json = any;

export async function readJson(response: Response): Promise<Json> {
  return response.json();
}

/** JSON request with an optional bearer token; answers status, headers and the parsed body. */
export async function requestJson(
  url: string,
  options: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * A JSON client bound to one service, for API suites: bearer token, raw bodies for malformed-input
 * tests, and an Idempotency-Key on every POST unless the test passes `key: null` to leave it out.
 */
export interface JsonResponse {
  status: number;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in tests
  body: any;
}

export function httpClient(baseUrl: string) {
  return async function call(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      rawBody?: string;
      key?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<JsonResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.rawBody !== undefined)
      headers['content-type'] = 'application/json';
    if (method === 'POST' && options.key !== null) headers['idempotency-key'] = options.key ?? randomUUID();
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
    };
  };
}

/** A request with any method and headers (fetch refuses TRACE and some others); the body as text. */
export function rawRequest(url: string, method: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
