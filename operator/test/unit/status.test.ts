import assert from 'node:assert/strict';
import { computeStatus, edgeEndpoint, sameStatus } from '../../src/controller/status.js';
import { minimalShop } from '../support/fixtures.js';

const rolledOut = (replicas: number, generation = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x', generation },
  status: {
    observedGeneration: generation,
    replicas,
    readyReplicas: replicas,
    updatedReplicas: replicas,
    availableReplicas: replicas,
  },
});

describe('computeStatus', () => {
  const shop = minimalShop();
  const base = { shop, edgeUrl: 'https://mini-edge.shops.svc:8080', now: '2026-01-01T00:00:00Z' };

  it('is Ready when every Deployment has rolled out', () => {
    const status = computeStatus({
      ...base,
      deployments: [
        { component: 'users', desired: 2, observed: rolledOut(2) },
        { component: 'edge', desired: 1, observed: rolledOut(1) },
      ],
    });
    const ready = status.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'True');
    assert.equal(ready.reason, 'AllComponentsReady');
    assert.equal(status.conditions!.find((c) => c.type === 'Reconciling')!.status, 'False');
    assert.equal(status.readyServices, '1/1');
    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(status.edge, { url: 'https://mini-edge.shops.svc:8080' });
  });

  it('is Reconciling while a Deployment is missing, behind or short of ready pods', () => {
    const behind = { ...rolledOut(2, 2), status: { ...rolledOut(2, 1).status } };
    const status = computeStatus({
      ...base,
      deployments: [
        { component: 'users', desired: 2, observed: undefined },
        { component: 'orders', desired: 2, observed: behind },
        { component: 'catalog', desired: 3, observed: rolledOut(2) },
      ],
    });
    const ready = status.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.match(ready.message, /users 0\/2, orders 2\/2, catalog 2\/3/);
    assert.equal(status.conditions!.find((c) => c.type === 'Reconciling')!.status, 'True');
    assert.equal(status.readyServices, '0/3');
  });

  it('reports Stalled with its reason', () => {
    const status = computeStatus({
      ...base,
      deployments: [],
      stalled: { reason: 'ApplyRejected', message: 'quota' },
    });
    const stalled = status.conditions!.find((c) => c.type === 'Stalled')!;
    assert.equal(stalled.status, 'True');
    assert.equal(stalled.reason, 'ApplyRejected');
    assert.equal(status.conditions!.find((c) => c.type === 'Ready')!.status, 'False');
  });

  it('keeps lastTransitionTime while a condition holds, so an unchanged status needs no write', () => {
    const first = computeStatus({
      ...base,
      deployments: [{ component: 'users', desired: 1, observed: rolledOut(1) }],
    });
    const later = computeStatus({
      ...base,
      shop: { ...shop, status: first },
      now: '2026-01-02T00:00:00Z',
      deployments: [{ component: 'users', desired: 1, observed: rolledOut(1) }],
    });
    assert.equal(sameStatus(first, later), true);
    const flipped = computeStatus({
      ...base,
      shop: { ...shop, status: first },
      now: '2026-01-03T00:00:00Z',
      deployments: [{ component: 'users', desired: 1, observed: undefined }],
    });
    assert.equal(flipped.conditions![0]!.lastTransitionTime, '2026-01-03T00:00:00Z');
    assert.equal(sameStatus(first, flipped), false);
  });

  it('reports the load balancer address of the edge once there is one', () => {
    const service = (ingress: unknown[]) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'mini-edge' },
      status: { loadBalancer: { ingress } },
    });
    assert.equal(edgeEndpoint(shop, undefined), 'https://mini-edge.shops.svc:8080');
    assert.equal(edgeEndpoint(shop, service([])), 'https://mini-edge.shops.svc:8080');
    assert.equal(edgeEndpoint(shop, service([{ ip: '203.0.113.7' }])), 'https://203.0.113.7:8080');
    assert.equal(
      edgeEndpoint(shop, service([{ hostname: 'shop.example.com' }])),
      'https://shop.example.com:8080',
    );
  });
});
