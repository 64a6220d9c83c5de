// Anomalies: the scheduled sweep raises one record per rule and subject when a rate is past its
// threshold (refreshed, not duplicated, while it keeps firing); admins acknowledge and resolve it,
// support only reads; the number open is a metric.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@shopstack/kit/testing';
import type { BackofficeService } from '../src/service.js';
import { type Harness, startHarness } from './support/harness.js';

describe('backoffice: anomalies', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: BackofficeService;

  before(async () => {
    h = await startHarness();
    service = await h.start({ ANOMALY_MIN_ATTEMPTS: '3', ANOMALY_REFUND_RATE: '0.2' });
    const now = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const orderId = `order-${randomUUID()}`;
      ids.push(
        await h.publish('order.completed', {
          orderId,
          userId: 'ann',
          lines: [{ productId: 'espresso', quantity: 1, unitPriceMinor: '1000', currency: 'EUR' }],
          totalMinor: '1000',
          currency: 'EUR',
          completedAt: now,
          schemaVersion: 1,
        }),
      );
      if (i < 2)
        ids.push(
          await h.publish('order.refunded', {
            orderId,
            userId: 'ann',
            refundId: `refund-${i}`,
            amountMinor: '1000',
            currency: 'EUR',
            schemaVersion: 1,
          }),
        );
    }
    await waitFor(
      async () =>
        (await h.db.query('select count(*)::int as n from kit_inbox')).rows[0].n === ids.length || undefined,
      { what: 'the events handled' },
    );
  });
  after(async () => {
    await h?.stop();
  });

  const sweep = async () => {
    const job = await service.deps.jobs.request({ kind: 'anomalies', params: {}, requestedBy: 'test' });
    await waitFor(async () => (await service.deps.jobs.get(job.id)).status === 'succeeded' || undefined, {
      what: 'the sweep',
    });
  };
  const api = async (path: string, token: string, method = 'GET') =>
    fetch(`${service.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('raises one open record per rule and subject, refreshed while it keeps firing', async () => {
    await sweep();
    await sweep();
    const support = await h.token('support');
    const list = (await (await api('/api/backoffice/anomalies', support)).json()) as {
      items: { id: string; rule: string; subject: string; status: string; value: number }[];
    };
    assert.deepEqual(
      list.items.map((a) => [a.rule, a.subject, a.status, a.value]),
      [['refund-rate', 'EUR', 'open', 0.5]],
    );
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    assert.match(metrics, /backoffice_anomalies_open\{[^}]*rule="refund-rate"[^}]*status="open"[^}]*\} 1/);
  });

  it('admins acknowledge then resolve; support cannot; each step once', async () => {
    const admin = await h.token('admin');
    const support = await h.token('support');
    const [anomaly] = (
      (await (await api('/api/backoffice/anomalies?status=open', admin)).json()) as {
        items: { id: string }[];
      }
    ).items;
    assert.ok(anomaly);
    assert.equal(
      (await api(`/api/backoffice/anomalies/${anomaly.id}/acknowledge`, support, 'POST')).status,
      403,
    );
    const acked = await api(`/api/backoffice/anomalies/${anomaly.id}/acknowledge`, admin, 'POST');
    assert.equal(acked.status, 200);
    assert.equal(((await acked.json()) as { status: string }).status, 'acknowledged');
    assert.equal(
      (await api(`/api/backoffice/anomalies/${anomaly.id}/acknowledge`, admin, 'POST')).status,
      409,
    );
    const resolved = await api(`/api/backoffice/anomalies/${anomaly.id}/resolve`, admin, 'POST');
    assert.equal(((await resolved.json()) as { status: string }).status, 'resolved');
    assert.equal((await api(`/api/backoffice/anomalies/${randomUUID()}/resolve`, admin, 'POST')).status, 404);
    // Still firing after resolution: a new record is raised, the resolved one stays as it was.
    await sweep();
    const all = (await (await api('/api/backoffice/anomalies', admin)).json()) as {
      items: { status: string }[];
    };
    assert.deepEqual(all.items.map((a) => a.status).sort(), ['open', 'resolved']);
  });
});
