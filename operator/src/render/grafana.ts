// Grafana for one shop: a provisioned Prometheus datasource and the dashboards from observability/.
import { stringify } from 'yaml';
import { GRAFANA_PORT } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { contentHash } from './hash.js';
import { childName } from './meta.js';
import { prometheusUrl } from './prometheus.js';
import { configMap, deployment, httpProbe, restrictedContainerSecurity, service } from './workload.js';

const GRAFANA_UID = 472;
const DASHBOARDS_DIR = '/var/lib/grafana/dashboards';

/** Dashboards by file name (e.g. "orders.json") to their JSON text. */
export type Dashboards = Record<string, string>;

function provisioning(shop: ShopDeployment) {
  const datasources = {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: 'prometheus',
        type: 'prometheus',
        access: 'proxy',
        url: prometheusUrl(shop),
        isDefault: true,
        editable: false,
      },
    ],
  };
  const providers = {
    apiVersion: 1,
    providers: [
      {
        name: 'shopstack',
        folder: 'ShopStack',
        type: 'file',
        disableDeletion: true,
        options: { path: DASHBOARDS_DIR },
      },
    ],
  };
  return { 'datasources.yaml': stringify(datasources), 'dashboards.yaml': stringify(providers) };
}

function authEnv(shop: ShopDeployment) {
  const secret = shop.spec.observability.grafana.adminPasswordSecret;
  if (secret) {
    return [
      {
        name: 'GF_SECURITY_ADMIN_PASSWORD',
        valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } },
      },
    ];
  }
  // No password given: never fall back to Grafana's well-known default; allow read-only viewing only.
  return [
    { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'true' },
    { name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Viewer' },
    { name: 'GF_AUTH_DISABLE_LOGIN_FORM', value: 'true' },
  ];
}

export function renderGrafana(shop: ShopDeployment, dashboards: Dashboards): KubeObject[] {
  const spec = shop.spec.observability.grafana;
  if (!spec.enabled) return [];
  const provisioned = provisioning(shop);
  const dashboardsName = childName(shop, 'grafana-dashboards');
  const container = {
    name: 'grafana',
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    env: [{ name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' }, ...authEnv(shop)],
    ports: [{ name: 'http', containerPort: GRAFANA_PORT, protocol: 'TCP' }],
    resources: spec.resources,
    readinessProbe: httpProbe('/api/health', 'http', 5),
    livenessProbe: httpProbe('/api/health', 'http'),
    volumeMounts: [
      {
        name: 'provisioning',
        mountPath: '/etc/grafana/provisioning/datasources/datasources.yaml',
        subPath: 'datasources.yaml',
        readOnly: true,
      },
      {
        name: 'provisioning',
        mountPath: '/etc/grafana/provisioning/dashboards/dashboards.yaml',
        subPath: 'dashboards.yaml',
        readOnly: true,
      },
      { name: 'dashboards', mountPath: DASHBOARDS_DIR, readOnly: true },
      { name: 'data', mountPath: '/var/lib/grafana' },
      { name: 'tmp', mountPath: '/tmp' },
    ],
    securityContext: restrictedContainerSecurity,
  };
  return [
    configMap(shop, 'grafana', childName(shop, 'grafana'), provisioned),
    configMap(shop, 'grafana', dashboardsName, dashboards),
    deployment({
      shop,
      component: 'grafana',
      replicas: 1,
      containers: [container],
      volumes: [
        { name: 'provisioning', configMap: { name: childName(shop, 'grafana') } },
        { name: 'dashboards', configMap: { name: dashboardsName } },
        { name: 'data', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
      ],
      podAnnotations: {
        'shopstack.io/config-hash': contentHash(
          ...Object.values(provisioned),
          ...Object.entries(dashboards).flat(),
        ),
      },
      runAsUser: GRAFANA_UID,
    }),
    service(shop, 'grafana', [{ name: 'http', port: GRAFANA_PORT }]),
  ];
}
