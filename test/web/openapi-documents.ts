// The OpenAPI documents the web app's clients are generated from (web/openapi/*.json), and the
// services that serve them. One list, read by the refresh script and by the test that checks the
// committed documents are exactly what the services serve.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const WEB_API_SERVICES = [
  'users',
  'catalog',
  'orders',
  'payments',
  'notifications',
  'backoffice',
] as const;
export type WebApiService = (typeof WEB_API_SERVICES)[number];

export const documentFile = (service: WebApiService) =>
  fileURLToPath(new URL(`../../web/openapi/${service}.json`, import.meta.url));

/** The document as committed: pretty JSON with a final newline, so diffs stay readable. */
export const serialize = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

export async function servedDocument(httpUrl: string): Promise<unknown> {
  const response = await fetch(`${httpUrl}/openapi.json`);
  if (!response.ok) throw new Error(`${httpUrl}/openapi.json answered ${response.status}`);
  return response.json();
}

export async function committedDocument(service: WebApiService): Promise<string> {
  return readFile(documentFile(service), 'utf8');
}
