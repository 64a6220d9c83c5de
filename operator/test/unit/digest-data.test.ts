// The ConfigMap cache keeps digests of the values (kube/digest-data.ts); the reconciler compares the
// digest of what it renders, so an unchanged ConfigMap still costs no write and an edited one is seen.
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { isSubset } from '../../src/controller/drift.js';
import { digestData } from '../../src/kube/digest-data.js';

const rendered = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'shop-edge', namespace: 'ns', labels: { app: 'edge' } },
  data: { 'envoy.yaml': 'static_resources: {}\n'.repeat(5000) },
} as unknown as KubeObject;

describe('ConfigMap data kept as digests', () => {
  it('keeps a short digest of each value and everything else as it is', () => {
    const kept = digestData(rendered) as KubeObject & { data: Record<string, string> };
    assert.match(kept.data['envoy.yaml']!, /^sha256:[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(kept.metadata, rendered.metadata);
    assert.equal(
      (rendered as unknown as { data: Record<string, string> }).data['envoy.yaml']!.length,
      105_000,
    );
  });

  it('matches the same content as the server returns it, and not an edited one', () => {
    const observed = {
      ...rendered,
      metadata: { ...rendered.metadata, resourceVersion: '7', uid: 'u' },
    } as KubeObject;
    assert.equal(isSubset(digestData(rendered), digestData(observed)), true);
    const edited = { ...observed, data: { 'envoy.yaml': 'edited' } } as unknown as KubeObject;
    assert.equal(isSubset(digestData(rendered), digestData(edited)), false);
  });

  it('digests binaryData too and leaves objects without data alone', () => {
    const binary = { ...rendered, data: undefined, binaryData: { key: 'AAEC' } } as unknown as KubeObject;
    assert.match(
      (digestData(binary) as unknown as { binaryData: { key: string } }).binaryData.key,
      /^sha256:/,
    );
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } } as KubeObject;
    assert.equal(digestData(service), service);
  });
});
