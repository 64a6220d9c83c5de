// biome-ignore-all lint/suspicious/noExplicitAny: the tests walk rendered configs and manifests
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/api/shop-deployment.js';
import { renderEnvoyBootstrap } from '../../src/render/envoy/index.js';
import { edgeEnvoyInput, renderShop } from '../../src/render/index.js';
import { renderPrometheusConfig } from '../../src/render/prometheus.js';
import { loadDashboards } from '../../src/runtime/dashboards.js';
import { minimalShop } from '../support/fixtures.js';

const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} not rendered`);
  return found as KubeObject & { spec: any; data: Record<string, string> };
};
const envOf = (objects: KubeObject[], name: string) =>
  Object.fromEntries(
    find(objects, 'Deployment', name).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]),
  );
const rules = { 'services.yml': 'groups: []\n', 'edge.yml': 'groups: []\n' };

describe('observability of a shop: traces, alerts, Grafana', () => {
  it('with a Jaeger asked for: runs it, points every service and the edge at it', () => {
    const shop = minimalShop({ observability: { tracing: { jaeger: { enabled: true } } } });
    const objects = renderShop(shop, { dashboards: {}, rules });
    const jaeger = find(objects, 'Service', 'mini-jaeger');
    assert.deepEqual(
      jaeger.spec.ports.map((p: any) => p.port),
      [16686, 4317, 4318],
    );
    find(objects, 'Deployment', 'mini-jaeger');
    for (const name of ['users', 'catalog', 'orders', 'payments', 'notifications']) {
      const env = envOf(objects, `mini-${name}`);
      assert.equal(env.OTEL_TRACES_EXPORTER, 'otlp');
      assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'http://mini-jaeger:4318/v1/traces');
      assert.equal(env.OTEL_SERVICE_NAME, name);
    }
    const envoy = parse(find(objects, 'ConfigMap', 'mini-edge').data['envoy.yaml']!);
    const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    assert.equal(hcm.tracing.provider.name, 'envoy.tracers.opentelemetry');
    const collector = envoy.static_resources.clusters.find((c: any) => c.name === 'otlp_collector');
    assert.deepEqual(collector.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
      address: 'mini-jaeger',
      port_value: 4317,
    });
  });

  it('with an OTLP collector of its own: no Jaeger, services and edge send there', () => {
    const shop = minimalShop({ observability: { tracing: { otlp: { host: 'otel.monitoring.svc' } } } });
    const objects = renderShop(shop, { dashboards: {} });
    assert.equal(
      objects.find((o) => o.metadata.name === 'mini-jaeger'),
      undefined,
    );
    assert.equal(
      envOf(objects, 'mini-orders').OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      'http://otel.monitoring.svc:4318/v1/traces',
    );
    assert.deepEqual(edgeEnvoyInput(shop).tracing, {
      collector: { host: 'otel.monitoring.svc', port: 4317 },
      serviceName: 'edge',
    });
  });

  it('without a trace backend: no OTEL variables and no tracer at the edge', () => {
    const shop = minimalShop();
    const objects = renderShop(shop, { dashboards: {} });
    assert.equal(envOf(objects, 'mini-orders').OTEL_TRACES_EXPORTER, undefined);
    const hcm = (renderEnvoyBootstrap(edgeEnvoyInput(shop)).static_resources.listeners[0] as any)
      .filter_chains[0].filters[0].typed_config;
    assert.equal(hcm.tracing, undefined);
  });

  it("loads the platform's rules into Prometheus and sends its alerts to the shop's Alertmanager", () => {
    const shop = minimalShop();
    const objects = renderShop(shop, { dashboards: {}, rules });
    const data = find(objects, 'ConfigMap', 'mini-prometheus').data;
    assert.deepEqual(Object.keys(data).sort(), ['prometheus.yml', 'rules-edge.yml', 'rules-services.yml']);
    const config = parse(renderPrometheusConfig(shop));
    assert.deepEqual(config.rule_files, ['/etc/prometheus/rules-*.yml']);
    assert.deepEqual(config.alerting.alertmanagers[0].static_configs[0].targets, ['mini-alertmanager:9093']);
    find(objects, 'Service', 'mini-alertmanager');
  });

  it('scrapes and evaluates every 15 s unless the spec asks otherwise; refuses an interval it cannot read', () => {
    assert.equal(parse(renderPrometheusConfig(minimalShop())).global.scrape_interval, '15s');
    const quick = parse(
      renderPrometheusConfig(minimalShop({ observability: { prometheus: { scrapeInterval: '5s' } } })),
    );
    assert.deepEqual([quick.global.scrape_interval, quick.global.evaluation_interval], ['5s', '5s']);
    for (const scrapeInterval of ['0s', '5', '1h', '5s; rm']) {
      assert.throws(
        () => minimalShop({ observability: { prometheus: { scrapeInterval } } }),
        /scrapeInterval/,
        scrapeInterval,
      );
    }
  });

  it('renders Alertmanager with the webhooks of the spec as receivers, firing and resolved', () => {
    const hooks = [
      { name: 'pager', url: 'https://pager.example.com/hook' },
      { name: 'chat', url: 'https://chat.example.com/alerts' },
    ];
    const objects = renderShop(minimalShop({ observability: { alerting: { webhooks: hooks } } }), {
      dashboards: {},
    });
    const config = parse(find(objects, 'ConfigMap', 'mini-alertmanager').data['alertmanager.yml']!);
    assert.equal(config.route.receiver, 'shop');
    assert.deepEqual(config.receivers, [
      {
        name: 'shop',
        webhook_configs: hooks.map((h) => ({ url: h.url, send_resolved: true })),
      },
    ]);
  });

  it('renders no Alertmanager when alerting is off or there is no Prometheus', () => {
    for (const observability of [
      { alerting: { enabled: false } },
      { prometheus: { enabled: false }, grafana: { enabled: false } },
    ]) {
      const objects = renderShop(minimalShop({ observability }), { dashboards: {} });
      assert.equal(
        objects.find((o) => o.metadata.name === 'mini-alertmanager'),
        undefined,
      );
    }
  });

  it('provisions Grafana with Prometheus, Jaeger and Loki, linked by trace id', () => {
    const shop = minimalShop({
      observability: {
        tracing: { jaeger: { enabled: true } },
        grafana: { lokiUrl: 'http://loki.monitoring.svc:3100' },
      },
    });
    const objects = renderShop(shop, { dashboards: {} });
    const { datasources } = parse(find(objects, 'ConfigMap', 'mini-grafana').data['datasources.yaml']!);
    const byUid = Object.fromEntries(datasources.map((d: any) => [d.uid, d]));
    assert.deepEqual(Object.keys(byUid), ['prometheus', 'jaeger', 'loki']);
    assert.equal(byUid.jaeger.url, 'http://mini-jaeger:16686');
    assert.equal(byUid.jaeger.jsonData.tracesToLogsV2.datasourceUid, 'loki');
    assert.match(byUid.jaeger.jsonData.tracesToLogsV2.query, /traceId="\$\{__trace\.traceId\}"/);
    assert.equal(byUid.loki.jsonData.derivedFields[0].datasourceUid, 'jaeger');
    assert.equal(byUid.prometheus.jsonData.exemplarTraceIdDestinations[0].datasourceUid, 'jaeger');
  });
  it("puts the repository's dashboards in Grafana's ConfigMap, within a ConfigMap's 1 MiB", () => {
    const dir = fileURLToPath(new URL('../../../observability/grafana/dashboards/', import.meta.url));
    const dashboards = loadDashboards(dir);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 11, `only ${files.length} dashboards`);
    const objects = renderShop(minimalShop(), { dashboards });
    const { data } = find(objects, 'ConfigMap', 'mini-grafana-dashboards');
    assert.deepEqual(Object.keys(data).sort(), files.sort());
    const bytes = Object.entries(data).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    assert.ok(bytes < 1024 * 1024, `${bytes} bytes of dashboards do not fit one ConfigMap`);
    const { providers } = parse(find(objects, 'ConfigMap', 'mini-grafana').data['dashboards.yaml']!);
    assert.equal(providers[0].options.path, '/var/lib/grafana/dashboards');
  });
});
