// Prometheus for one shop: scrape config for every service pod, the edge and itself, the platform's
// alerting and recording rules (observability/prometheus/rules, in its ConfigMap) and where alerts go.
import { stringify } from 'yaml';
import { HTTP_PORT, PROMETHEUS_PORT, SHOP_SERVICES } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { alertmanagerAddress } from './alertmanager.js';
import { EDGE_OPS_PORT } from './edge.js';
import { contentHash } from './hash.js';
import { childName } from './meta.js';
import { configMap, deployment, httpProbe, restrictedContainerSecurity, service } from './workload.js';

const NOBODY = 65534;
const CONFIG_DIR = '/etc/prometheus';

/** Rule files by file name (e.g. "services.yml") to their YAML text. */
export type RuleFiles = Record<string, string>;

export function prometheusUrl(shop: ShopDeployment): string {
  return `http://${childName(shop, 'prometheus')}:${PROMETHEUS_PORT}`;
}

export function renderPrometheusConfig(shop: ShopDeployment): string {
  const namespace = shop.metadata.namespace;
  const shopLabel = { shop: shop.metadata.name };
  // Service names resolve to every ready pod (headless Services), so each replica is its own target.
  const serviceJobs = SHOP_SERVICES.map((name) => ({
    job_name: name,
    metrics_path: '/metrics',
    // Services label their own samples with service=<name>; keep theirs rather than renaming it.
    honor_labels: true,
    dns_sd_configs: [{ names: [`${childName(shop, name)}.${namespace}.svc`], type: 'A', port: HTTP_PORT }],
    relabel_configs: [
      { target_label: 'service', replacement: name },
      { target_label: 'shop', replacement: shop.metadata.name },
    ],
  }));
  const alertmanager = alertmanagerAddress(shop);
  const interval = shop.spec.observability.prometheus.scrapeInterval;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: shopLabel },
    rule_files: [`${CONFIG_DIR}/rules-*.yml`],
    ...(alertmanager
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] } }
      : {}),
    scrape_configs: [
      ...serviceJobs,
      {
        job_name: 'edge',
        metrics_path: '/stats/prometheus',
        static_configs: [
          { targets: [`${childName(shop, 'edge')}:${EDGE_OPS_PORT}`], labels: { service: 'edge' } },
        ],
      },
      { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${PROMETHEUS_PORT}`] }] },
    ],
  };
  return stringify(config);
}

export function renderPrometheus(shop: ShopDeployment, rules: RuleFiles = {}): KubeObject[] {
  const spec = shop.spec.observability.prometheus;
  if (!spec.enabled) return [];
  const prometheusYaml = renderPrometheusConfig(shop);
  const data = {
    'prometheus.yml': prometheusYaml,
    ...Object.fromEntries(Object.entries(rules).map(([file, text]) => [`rules-${file}`, text])),
  };
  const container = {
    name: 'prometheus',
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    args: [
      `--config.file=${CONFIG_DIR}/prometheus.yml`,
      '--storage.tsdb.path=/prometheus',
      `--storage.tsdb.retention.time=${spec.retention}`,
    ],
    ports: [{ name: 'http', containerPort: PROMETHEUS_PORT, protocol: 'TCP' }],
    resources: spec.resources,
    readinessProbe: httpProbe('/-/ready', 'http', 5),
    livenessProbe: httpProbe('/-/healthy', 'http'),
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'data', mountPath: '/prometheus' },
    ],
    securityContext: restrictedContainerSecurity,
  };
  return [
    configMap(shop, 'prometheus', childName(shop, 'prometheus'), data),
    deployment({
      shop,
      component: 'prometheus',
      replicas: 1,
      containers: [container],
      volumes: [
        { name: 'config', configMap: { name: childName(shop, 'prometheus') } },
        { name: 'data', emptyDir: {} },
      ],
      podAnnotations: { 'shopstack.io/config-hash': contentHash(...Object.entries(data).flat()) },
      runAsUser: NOBODY,
    }),
    service(shop, 'prometheus', [{ name: 'http', port: PROMETHEUS_PORT }]),
  ];
}
