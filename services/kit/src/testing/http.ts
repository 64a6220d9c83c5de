// Small HTTP helpers for tests that talk to a running service.

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
