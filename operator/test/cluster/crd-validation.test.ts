// The CRD generated from the types, on a real API server: its OpenAPI schema and CEL rules refuse bad
// ShopDeployments with messages that name the field, and its defaults fill in the rest.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CHART_DIR, kubectl, suffix } from '../support/cluster.js';

describe('ShopDeployment CRD on a real API server', () => {
  let ns: string;

  before(async () => {
    ns = `op-crd-${suffix()}`;
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(CHART_DIR, 'crds')]);
    await kubectl(['wait', '--for=condition=Established', 'crd/shopdeployments.shopstack.io']);
    await kubectl(['create', 'namespace', ns]);
  });

  after(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('rejects invalid ShopDeployments at the API with a message that names the problem', async () => {
    const attempt = async (name: string, spec: Record<string, unknown>) => {
      const shop = {
        apiVersion: 'shopstack.io/v1alpha1',
        kind: 'ShopDeployment',
        metadata: { name, namespace: ns },
        spec: {
          secrets: {
            rabbitmq: { name: 'c' },
            redis: { name: 'redis' },
            paymentsWebhook: { name: 'webhook' },
            smtp: { name: 'smtp' },
            unsubscribeSigning: { name: 'unsubscribe' },
          },
          ...spec,
        },
      };
      const error = await kubectl(['apply', '-f', '-'], JSON.stringify(shop)).then(
        () => undefined,
        (e: { stderr: string }) => e.stderr,
      );
      assert.ok(error, `${name} was accepted`);
      return error;
    };
    assert.match(
      await attempt('bad-observability', {
        observability: { prometheus: { enabled: false }, grafana: { enabled: true } },
      }),
      /grafana needs prometheus as its datasource/,
    );
    assert.match(
      await attempt('bad-tracing', {
        observability: { tracing: { otlp: { host: 'otel' }, jaeger: { enabled: true } } },
      }),
      /name an otlp collector or enable jaeger, not both/,
    );
    assert.match(
      await attempt('bad-webhook', {
        observability: { alerting: { webhooks: [{ name: 'pager', url: 'not a url' }] } },
      }),
      /spec\.observability\.alerting\.webhooks\[0\]\.url/,
    );
    assert.match(
      await attempt('bad-resources', {
        services: { users: { resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } } },
      }),
      /spec\.services\.users\.resources\.limits\.memory.*limits\.memory must be at least requests\.memory/,
    );
    assert.match(
      await attempt('bad-replicas', { services: { orders: { replicas: -3 } } }),
      /spec\.services\.orders\.replicas.*should be greater than or equal to 0/,
    );
    assert.match(
      await attempt('bad-limit', { edge: { rateLimit: { requestsPerSecond: 10, burst: 5 } } }),
      /burst must be at least requestsPerSecond/,
    );
    assert.match(await attempt('a'.repeat(45), {}), /metadata\.name must be at most 40 characters/);
    assert.match(await attempt('Upper', {}), /metadata\.name must start with a letter/);
    assert.match(await attempt('no-secrets', { secrets: undefined }), /spec\.secrets: Required value/);
    const names = await kubectl(['get', 'shop', '-n', ns, '-o', 'name']);
    assert.equal(names.trim(), '', 'nothing invalid was stored');
  });

  it('explains every field of the spec (kubectl explain)', async () => {
    // The API server publishes a changed CRD's OpenAPI a moment after it is established.
    const explain = async (field: string, expected: RegExp) => {
      for (let attempt = 0; ; attempt++) {
        const text = await kubectl(['explain', field]);
        if (expected.test(text) || attempt === 30) return text;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    const spec = await explain('shopdeployment.spec', /The shop as it should run/);
    assert.match(spec, /The shop as it should run/);
    assert.doesNotMatch(spec, /<no description>/);
    const edge = await explain('shopdeployment.spec.edge', /trustedProxyHops/);
    assert.doesNotMatch(edge, /<no description>/);
    const limits = await explain('shopdeployment.spec.services.orders.resources.limits', /Memory, as a/);
    assert.match(limits, /Memory, as a Kubernetes quantity/);
  });

  it('fills in the defaults of a minimal shop', async () => {
    const shop = {
      apiVersion: 'shopstack.io/v1alpha1',
      kind: 'ShopDeployment',
      metadata: { name: 'minimal', namespace: ns, labels: { 'shopstack.io/shard': 'nobody' } },
      spec: {
        secrets: {
          rabbitmq: { name: 'c' },
          redis: { name: 'redis' },
          paymentsWebhook: { name: 'webhook' },
          smtp: { name: 'smtp' },
          unsubscribeSigning: { name: 'unsubscribe' },
        },
      },
    };
    const stored = JSON.parse(await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(shop)));
    assert.equal(stored.spec.services.payments.replicas, 2);
    assert.equal(stored.spec.services.notifications.replicas, 2);
    assert.equal(stored.spec.services.backoffice.replicas, 2);
    assert.equal(stored.spec.images.tag, '0.1.0');
    assert.deepEqual(stored.spec.edge.jwt, { issuer: 'shopstack-users', audiences: ['shopstack'] });
    assert.equal(stored.spec.edge.rateLimit.burst, 100);
    assert.equal(stored.spec.secrets.rabbitmq.key, 'url');
    assert.equal(stored.spec.observability.prometheus.retention, '15d');
    assert.equal(stored.spec.observability.tracing.jaeger.enabled, false);
    assert.equal(stored.spec.observability.alerting.enabled, true);
    await kubectl(['delete', 'shop', 'minimal', '-n', ns]);
  });
});
