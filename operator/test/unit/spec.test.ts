import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RELEASE_VERSION } from '../../src/api/constants.js';
import { ShopDeploymentSpec } from '../../src/api/spec.js';
import { exampleShopObject, minimalShop } from '../support/fixtures.js';

describe('ShopDeployment spec schema', () => {
  it('fills every default from only the required Secret references', () => {
    const shop = minimalShop();
    assert.equal(shop.spec.services.users.replicas, 2);
    assert.deepEqual(shop.spec.services.payments.resources, {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
    assert.equal(shop.spec.edge.port, 8080);
    assert.deepEqual(shop.spec.edge.jwt, { issuer: 'shopstack-users', audiences: ['shopstack'] });
    assert.equal(shop.spec.images.tag, '0.1.0', "images default to the operator's release");
    assert.equal(shop.spec.services.users.database, undefined, 'the renderer names the default Secret');
    assert.equal(shop.spec.services.notifications.replicas, 2, 'every service has an image and runs');
    assert.equal(shop.spec.services.backoffice.replicas, 2);
    assert.equal(shop.spec.observability.prometheus.retention, '15d');
    assert.equal(shop.spec.observability.grafana.enabled, true);
    // Money only comes in through a provider the shop chose: the sandbox is never a default.
    assert.deepEqual(shop.spec.payments, {
      provider: 'none',
      dailyLimits: { topUpMinor: 100_000, withdrawalMinor: 100_000 },
    });
  });

  it('accepts the chart example', () => {
    const result = ShopDeploymentSpec.safeParse(exampleShopObject().spec);
    assert.ok(result.success, result.success ? '' : result.error.message);
    assert.equal(result.data.services.catalog.replicas, 3);
  });

  it('rejects bad values and names the field', () => {
    const result = ShopDeploymentSpec.safeParse({
      secrets: {
        rabbitmq: { name: 'amqp' },
        redis: { name: 'redis' },
        paymentsWebhook: { name: 'webhook' },
        smtp: { name: 'smtp' },
        unsubscribeSigning: { name: 'unsubscribe' },
      },
      services: { orders: { replicas: -1 } },
      edge: { resources: { requests: { cpu: 'lots' } } },
    });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    assert.ok(paths.includes('services.orders.replicas'), paths.join(','));
    assert.ok(paths.includes('edge.resources.requests.cpu'), paths.join(','));
  });

  it('requires the Secret references', () => {
    const result = ShopDeploymentSpec.safeParse({});
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error!.issues.map((issue) => issue.path.join('.')),
      ['secrets'],
    );
  });

  it('defaults image tags to the release the chart and the operator package carry', () => {
    const chart = parse(
      readFileSync(new URL('../../../charts/shopstack-operator/Chart.yaml', import.meta.url), 'utf8'),
    );
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal(chart.version, RELEASE_VERSION);
    assert.equal(chart.appVersion, RELEASE_VERSION);
    assert.equal(pkg.version, RELEASE_VERSION);
  });
});
