// What the ConfigMap cache keeps of each value: its digest. The operator's ConfigMaps hold rendered
// configuration (the edge's Envoy bootstrap is ~100 KiB a shop, ~20 MiB of heap for 200 shops; the
// Prometheus config and Grafana dashboards add more), and the reconciler only ever compares it with
// what it renders, so the cache keeps a digest of each value and the reconciler compares the digest
// of its rendered value (Informer.cacheForm). A hand edit still changes the digest and is reverted.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/shop-deployment.js';

const FIELDS = ['data', 'binaryData'] as const;

export function digestData(object: KubeObject): KubeObject {
  const record = object as KubeObject & Partial<Record<(typeof FIELDS)[number], Record<string, string>>>;
  if (FIELDS.every((field) => record[field] === undefined)) return object;
  const digested: Record<string, unknown> = { ...object };
  for (const field of FIELDS) {
    const values = record[field];
    if (values === undefined || values === null) continue;
    digested[field] = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, digest(value)]));
  }
  return digested as KubeObject;
}

const digest = (value: string) => `sha256:${createHash('sha256').update(value).digest('base64')}`;
