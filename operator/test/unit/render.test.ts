// biome-ignore-all lint/suspicious/noExplicitAny: the tests walk rendered configs and manifests
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { SHOP_SERVICES } from '../../src/api/constants.js';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { renderShop } from '../../src/render/index.js';
import { renderPrometheusConfig } from '../../src/render/prometheus.js';
import { exampleShopObject, minimalShop, shopFrom } from '../support/fixtures.js';

const names = (objects: KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} not rendered`);
  return found as KubeObject & { spec: any; data: Record<string, string> };
};

describe('renderShop', () => {
  const shop = shopFrom(exampleShopObject());
  const objects = renderShop(shop, { dashboards: { 'orders.json': '{"title":"Orders"}' } });

  it('renders a Deployment and headless Service per service, the edge, Prometheus, Alertmanager and Grafana', () => {
    const expected = [
      ...SHOP_SERVICES.flatMap((s) => [`Deployment/shop-${s}`, `Service/shop-${s}`]),
      'ConfigMap/shop-edge',
      'Deployment/shop-edge',
      'Service/shop-edge',
      'Deployment/shop-ratelimit',
      'Service/shop-ratelimit',
      'ConfigMap/shop-prometheus',
      'Deployment/shop-prometheus',
      'Service/shop-prometheus',
      'ConfigMap/shop-grafana',
      'ConfigMap/shop-grafana-dashboards',
      'Deployment/shop-grafana',
      'Service/shop-grafana',
      'ConfigMap/shop-alertmanager',
      'Deployment/shop-alertmanager',
      'Service/shop-alertmanager',
      'Deployment/shop-jaeger',
      'Service/shop-jaeger',
      // replicas > 1: users 2, catalog 3, orders 3, payments 2, notifications 2, backoffice 2, edge 3, ratelimit 2
      'PodDisruptionBudget/shop-users',
      'PodDisruptionBudget/shop-backoffice',
      'PodDisruptionBudget/shop-notifications',
      'PodDisruptionBudget/shop-catalog',
      'PodDisruptionBudget/shop-orders',
      'PodDisruptionBudget/shop-payments',
      'PodDisruptionBudget/shop-edge',
      'PodDisruptionBudget/shop-ratelimit',
      'NetworkPolicy/shop-default-deny-ingress',
      ...SHOP_SERVICES.map((s) => `NetworkPolicy/shop-${s}-ingress`),
      'NetworkPolicy/shop-ratelimit-ingress',
    ];
    assert.deepEqual(names(objects), expected.sort());
    assert.equal(find(objects, 'Service', 'shop-users').spec.clusterIP, 'None');
  });

  it('runs the global rate limit service on the Redis Secret with the limits the edge asks about', () => {
    const container = find(objects, 'Deployment', 'shop-ratelimit').spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(container.image, 'ghcr.io/shopstack/ratelimit:0.1.0');
    assert.deepEqual(env.REDIS_URL, { secretKeyRef: { name: 'shop-redis', key: 'url' } });
    assert.deepEqual(JSON.parse(env.RATE_LIMIT_RULES), [
      { routeClass: 'auth', key: 'remote_address', requestsPerSecond: 2, burst: 10 },
      { routeClass: 'api', key: 'remote_address', requestsPerSecond: 50, burst: 100 },
      { routeClass: 'api', key: 'user', requestsPerSecond: 20, burst: 60 },
    ]);
    assert.equal(find(objects, 'Service', 'shop-ratelimit').spec.clusterIP, 'None');
    const envoy = parse(find(objects, 'ConfigMap', 'shop-edge').data['envoy.yaml'] ?? '');
    const cluster = envoy.static_resources.clusters.find((c: any) => c.name === 'ratelimit');
    assert.deepEqual(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
      address: 'shop-ratelimit',
      port_value: 50051,
    });
  });

  it('makes the shop the controlling owner of every object, in its namespace, with its labels', () => {
    for (const object of objects) {
      assert.equal(object.metadata.namespace, 'shops');
      assert.deepEqual(object.metadata.ownerReferences, [
        {
          apiVersion: 'shopstack.io/v1alpha1',
          kind: 'ShopDeployment',
          name: 'shop',
          uid: shop.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.equal(object.metadata.labels?.['shopstack.io/shop'], 'shop');
      assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'shopstack-operator');
    }
  });

  it('gives each service its replicas, image, resources and connection Secrets', () => {
    const payments = find(objects, 'Deployment', 'shop-payments');
    assert.equal(payments.spec.replicas, 2);
    const container = payments.spec.template.spec.containers[0];
    assert.equal(container.image, 'ghcr.io/shopstack/payments:0.1.0');
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    assert.deepEqual(env.MONGO_URL, { secretKeyRef: { name: 'shop-payments-database', key: 'url' } });
    assert.deepEqual(env.SANDBOX_WEBHOOK_SECRET, {
      secretKeyRef: { name: 'shop-payments', key: 'webhook-secret' },
    });
    assert.equal(env.DATABASE_URL, undefined);
    // The example is a sandbox shop, which it says explicitly; its webhooks come in through the edge.
    assert.equal(env.PAYMENT_PROVIDER, 'sandbox');
    assert.equal(env.TOPUP_DAILY_LIMIT_MINOR, '100000');
    assert.equal(env.SANDBOX_WEBHOOK_URL, 'https://shop-edge.shops.svc:8080/api/payments/webhooks/sandbox');
    const plain = find(renderShop(minimalShop(), { dashboards: {} }), 'Deployment', 'mini-payments').spec
      .template.spec;
    const plainEnv = plain.containers[0].env.find((e: any) => e.name === 'PAYMENT_PROVIDER');
    assert.equal(plainEnv.value, 'none');
    assert.equal(env.HOST, '0.0.0.0');
    assert.equal(env.JWT_AUDIENCE, 'shopstack');
    const users = find(objects, 'Deployment', 'shop-users').spec.template.spec.containers[0];
    assert.ok(
      users.env.some(
        (e: any) => e.name === 'DATABASE_URL' && e.valueFrom.secretKeyRef.name === 'shop-users-database',
      ),
    );
    assert.ok(
      users.env.some(
        (e: any) =>
          e.name === 'SIGNING_KEY_ENCRYPTION_KEY' && e.valueFrom.secretKeyRef.name === 'shop-users-signing',
      ),
    );
    assert.ok(
      !users.env.some((e: any) => e.name === 'SANDBOX_WEBHOOK_SECRET'),
      'payments secret leaked to users',
    );
    assert.equal(users.readinessProbe.httpGet.path, '/readyz');
    assert.equal(users.securityContext.runAsNonRoot, true);
  });

  it('gives every service a grace period that covers its preStop pause, drain and shutdown', () => {
    for (const name of SHOP_SERVICES) {
      const pod = find(objects, 'Deployment', `shop-${name}`).spec.template.spec;
      const container = pod.containers[0];
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      const preStop = container.lifecycle.preStop.sleep.seconds;
      const drain = Number(env.SHUTDOWN_DRAIN_DELAY_MS) / 1000;
      const timeout = Number(env.SHUTDOWN_TIMEOUT_MS) / 1000;
      assert.ok(preStop > 0 && drain > 0 && timeout > 0, name);
      // The edge drops a host after at most two 5 s health checks: the drain must outlast that.
      assert.ok(drain > 10, `${name} drains ${drain}s`);
      assert.ok(pod.terminationGracePeriodSeconds > preStop + drain + timeout, name);
    }
  });

  it('gives every service its own database Secret, <shop>-<service>-database unless the spec names one', () => {
    const custom = shopFrom({
      ...exampleShopObject(),
      spec: {
        ...(exampleShopObject().spec as object),
        services: { orders: { replicas: 1, database: { name: 'orders-db', key: 'dsn' } } },
      },
    });
    const rendered = renderShop(custom, { dashboards: {} });
    const storeRef = (service: string) => {
      const env = find(rendered, 'Deployment', `shop-${service}`).spec.template.spec.containers[0].env;
      const store = env.filter((e: any) => e.name === 'DATABASE_URL' || e.name === 'MONGO_URL');
      assert.equal(store.length, 1, `${service} has one store`);
      return store[0].valueFrom.secretKeyRef;
    };
    assert.deepEqual(storeRef('orders'), { name: 'orders-db', key: 'dsn' });
    for (const service of ['users', 'catalog', 'payments', 'notifications']) {
      assert.deepEqual(storeRef(service), { name: `shop-${service}-database`, key: 'url' });
    }
  });

  it("hands each service only its peers' gRPC addresses, and the broker to every service (all publish or consume)", () => {
    const env = (service: string) =>
      find(objects, 'Deployment', `shop-${service}`).spec.template.spec.containers[0].env.map(
        (e: any) => e.name,
      );
    const orders = env('orders');
    assert.ok(orders.includes('CATALOG_GRPC_ADDRESS') && orders.includes('PAYMENTS_GRPC_ADDRESS'));
    assert.ok(!orders.includes('USERS_GRPC_ADDRESS'));
    assert.ok(!env('users').some((name: string) => name.endsWith('_GRPC_ADDRESS')));
    // Payments publishes its money events through its outbox.
    for (const service of ['payments', 'catalog']) assert.ok(env(service).includes('AMQP_URL'), service);
    assert.ok(env('notifications').includes('USERS_GRPC_ADDRESS'));
  });

  it('gives notifications its SMTP server, unsubscribe signing secret and webhook sealing key from the Secrets the spec names', () => {
    const env = find(objects, 'Deployment', 'shop-notifications').spec.template.spec.containers[0].env;
    const ref = (name: string) => env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
    assert.deepEqual(ref('SMTP_URL'), { name: 'shop-notifications', key: 'smtp-url' });
    assert.deepEqual(ref('UNSUBSCRIBE_SECRET'), { name: 'shop-notifications', key: 'unsubscribe-secret' });
    assert.deepEqual(ref('WEBHOOK_SECRET_ENCRYPTION_KEY'), {
      name: 'shop-notifications',
      key: 'webhook-secret-key',
    });
    assert.equal(
      env.find((e: any) => e.name === 'SMTP_REQUIRE_TLS'),
      undefined,
      'TLS stays required in pods',
    );
  });

  it("places every pod of the shop by the spec's nodeSelector and tolerations", () => {
    const placement = {
      nodeSelector: { 'shopstack.io/node': 'real' },
      tolerations: [{ key: 'shopstack.io/node', operator: 'Equal', value: 'real', effect: 'NoSchedule' }],
    };
    const placed = renderShop(
      shopFrom({ ...exampleShopObject(), spec: { ...(exampleShopObject().spec as object), placement } }),
      { dashboards: {} },
    );
    const deployments = placed.filter((o) => o.kind === 'Deployment') as (KubeObject & { spec: any })[];
    // six services, the edge, its rate limit service, Prometheus, Grafana, Alertmanager, Jaeger
    assert.equal(deployments.length, 12);
    for (const d of deployments) {
      assert.deepEqual(d.spec.template.spec.nodeSelector, placement.nodeSelector, d.metadata.name);
      assert.deepEqual(d.spec.template.spec.tolerations, placement.tolerations, d.metadata.name);
    }
    const unplaced = find(objects, 'Deployment', 'shop-users').spec.template.spec;
    assert.equal(unplaced.nodeSelector, undefined);
  });

  it("stops an edge pod through the ops listener's preStop route, which the rendered config serves", () => {
    const pod = find(objects, 'Deployment', 'shop-edge').spec.template.spec;
    const hook = pod.containers[0].lifecycle.preStop.httpGet;
    assert.deepEqual(hook, { path: '/lifecycle/pre-stop', port: 'ops' });
    const config = parse(find(objects, 'ConfigMap', 'shop-edge').data['envoy.yaml'] ?? '');
    const ops = config.static_resources.listeners.find((l: any) => l.name === 'ops');
    const routes = ops.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
    assert.ok(routes.some((r: any) => r.match.path === hook.path));
    // Kubernetes' default grace period (30 s) outlasts the hook's hold.
    const hold = routes.find((r: any) => r.match.path === '/lifecycle/hold');
    assert.ok(
      Number.parseInt(hold.typed_per_filter_config['envoy.filters.http.fault'].delay.fixed_delay, 10) < 30,
    );
    assert.equal(pod.terminationGracePeriodSeconds, undefined);
  });

  it('puts the rendered Envoy config in the edge ConfigMap and its hash on the pods', () => {
    const config = parse(find(objects, 'ConfigMap', 'shop-edge').data['envoy.yaml'] ?? '');
    const clusters = config.static_resources.clusters.map((c: any) => c.name);
    assert.ok(clusters.includes('svc_orders'));
    const address =
      config.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address;
    assert.deepEqual(address.socket_address, { address: 'shop-users', port_value: 8080 });
    const edge = find(objects, 'Deployment', 'shop-edge');
    const hash = edge.spec.template.metadata.annotations['shopstack.io/config-hash'];
    const changed = renderShop(
      shopFrom({
        ...exampleShopObject(),
        spec: {
          ...(exampleShopObject().spec as object),
          edge: { rateLimit: { requestsPerSecond: 9, burst: 9 } },
        },
      }),
      { dashboards: {} },
    );
    assert.notEqual(
      find(changed, 'Deployment', 'shop-edge').spec.template.metadata.annotations['shopstack.io/config-hash'],
      hash,
    );
  });

  it('serves the edge over TLS from <shop>-edge-tls by default, with no CORS origin; both follow the spec', () => {
    const listenerOf = (rendered: KubeObject[]) =>
      parse(find(rendered, 'ConfigMap', 'shop-edge').data['envoy.yaml'] ?? '').static_resources.listeners[0];
    const edge = find(objects, 'Deployment', 'shop-edge');
    assert.deepEqual(
      edge.spec.template.spec.volumes.find((v: any) => v.name === 'tls'),
      { name: 'tls', secret: { secretName: 'shop-edge-tls' } },
    );
    const listener = listenerOf(objects);
    const tls = listener.filter_chains[0].transport_socket.typed_config.common_tls_context;
    assert.deepEqual(tls.tls_certificates[0].certificate_chain, {
      filename: '/etc/shopstack/edge-tls/tls.crt',
    });
    const hcm = listener.filter_chains[0].filters[0].typed_config;
    assert.match(hcm.route_config.response_headers_to_add[0].header.value, /^max-age=31536000/);
    assert.equal(hcm.route_config.virtual_hosts[0].typed_per_filter_config, undefined, 'no CORS policy');

    const open = renderShop(
      shopFrom({
        ...exampleShopObject(),
        spec: {
          ...(exampleShopObject().spec as object),
          edge: { tls: { enabled: false }, cors: { allowedOrigins: ['https://shop.example.com'] } },
        },
      }),
      { dashboards: {} },
    );
    const plain = listenerOf(open);
    assert.equal(plain.filter_chains[0].transport_socket, undefined);
    const policy =
      plain.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].typed_per_filter_config[
        'envoy.filters.http.cors'
      ];
    assert.deepEqual(policy.allow_origin_string_match, [{ exact: 'https://shop.example.com' }]);
    // Its config and its gRPC client certificate; no listener certificate.
    assert.deepEqual(
      find(open, 'Deployment', 'shop-edge').spec.template.spec.volumes.map((v: { name: string }) => v.name),
      ['config', 'grpc-tls'],
    );
    assert.throws(() =>
      shopFrom({
        ...exampleShopObject(),
        spec: { ...(exampleShopObject().spec as object), edge: { cors: { allowedOrigins: ['*'] } } },
      }),
    );
  });

  it('scrapes every service pod through DNS and keeps the retention from the spec', () => {
    const config = parse(renderPrometheusConfig(shop));
    const jobs = config.scrape_configs.map((j: any) => j.job_name);
    assert.deepEqual(jobs, [...SHOP_SERVICES, 'edge', 'prometheus']);
    assert.deepEqual(config.scrape_configs[2].dns_sd_configs, [
      { names: ['shop-orders.shops.svc'], type: 'A', port: 8080 },
    ]);
    const args = find(objects, 'Deployment', 'shop-prometheus').spec.template.spec.containers[0].args;
    assert.ok(args.includes('--storage.tsdb.retention.time=7d'));
  });

  it('provisions Grafana with the Prometheus datasource and the dashboards', () => {
    const provisioning = find(objects, 'ConfigMap', 'shop-grafana').data;
    assert.equal(
      parse(provisioning['datasources.yaml'] ?? '').datasources[0].url,
      'http://shop-prometheus:9090',
    );
    assert.deepEqual(find(objects, 'ConfigMap', 'shop-grafana-dashboards').data, {
      'orders.json': '{"title":"Orders"}',
    });
  });

  it('leaves out observability when disabled and PDBs for single replicas', () => {
    const small = minimalShop({
      services: {
        users: { replicas: 1 },
        catalog: { replicas: 1 },
        orders: { replicas: 1 },
        payments: { replicas: 1 },
        notifications: { replicas: 0 },
        backoffice: { replicas: 1 },
      },
      edge: { replicas: 1, rateLimitService: { replicas: 1 } },
      observability: { prometheus: { enabled: false }, grafana: { enabled: false } },
    });
    const rendered = renderShop(small, { dashboards: {} });
    assert.equal(rendered.filter((o) => o.kind === 'PodDisruptionBudget').length, 0);
    assert.ok(!rendered.some((o) => /prometheus|grafana/.test(o.metadata.name)));
    assert.equal(find(rendered, 'Deployment', 'mini-notifications').spec.replicas, 0);
  });

  it("passes the shop's shard label on to every child", () => {
    const sharded = shopFrom({
      ...exampleShopObject(),
      metadata: { name: 'shop', labels: { 'shopstack.io/shard': 'canary' } },
    });
    for (const object of renderShop(sharded, { dashboards: {} })) {
      assert.equal(
        object.metadata.labels?.['shopstack.io/shard'],
        'canary',
        `${object.kind}/${object.metadata.name}`,
      );
    }
    assert.ok(objects.every((o) => !o.metadata.labels?.['shopstack.io/shard']));
  });

  it('is pure: the same spec renders the same objects', () => {
    assert.deepEqual(renderShop(shop, { dashboards: {} }), renderShop(shop, { dashboards: {} }));
  });
});
