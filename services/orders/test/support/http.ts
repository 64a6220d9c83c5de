// A tiny JSON client for the service under test.
import { randomUUID } from 'node:crypto';

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
