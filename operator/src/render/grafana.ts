// Grafana for one shop: provisioned Prometheus, Jaeger (when the operator runs it) and Loki (when the
// spec names one) datasources, linked to each other by trace id, and the dashboards from observability/.
import { stringify } from 'yaml';
import { GRAFANA_PORT } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { contentHash } from './hash.js';
import { childName } from './meta.js';
import { prometheusUrl } from './prometheus.js';
import { jaegerQueryUrl } from './tracing.js';
import { configMap, deployment, httpProbe, restrictedContainerSecurity, service } from './workload.js';

const GRAFANA_UID = 472;
const DASHBOARDS_DIR = '/var/lib/grafana/dashboards';

/** Dashboards by file name (e.g. "orders.json") to their JSON text. */
export type Dashboards = Record<string, string>;

export const DATASOURCE_UIDS = { prometheus: 'prometheus', jaeger: 'jaeger', loki: 'loki' } as const;

/** The services log JSON lines with a traceId field (services/kit/src/logging.ts). */
function tracesToLogs(shop: ShopDeployment) {
  if (!shop.spec.observability.grafana.lokiUrl) return {};
  return {
    tracesToLogsV2: {
      datasourceUid: DATASOURCE_UIDS.loki,
      spanStartTimeShift: '-5m',
      spanEndTimeShift: '5m',
      customQuery: true,
      query: `{namespace="${shop.metadata.namespace}"} | json | traceId="\${__trace.traceId}"`,
    },
  };
}

function datasources(shop: ShopDeployment) {
  const jaeger = jaegerQueryUrl(shop);
  const loki = shop.spec.observability.grafana.lokiUrl;
  return [
    {
      name: 'Prometheus',
      uid: DATASOURCE_UIDS.prometheus,
      type: 'prometheus',
      access: 'proxy',
      url: prometheusUrl(shop),
      isDefault: true,
      editable: false,
      ...(jaeger
        ? {
            jsonData: {
              exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: DATASOURCE_UIDS.jaeger }],
            },
          }
        : {}),
    },
    ...(jaeger
      ? [
          {
            name: 'Jaeger',
            uid: DATASOURCE_UIDS.jaeger,
            type: 'jaeger',
            access: 'proxy',
            url: jaeger,
            editable: false,
            jsonData: tracesToLogs(shop),
          },
        ]
      : []),
    ...(loki
      ? [
          {
            name: 'Loki',
            uid: DATASOURCE_UIDS.loki,
            type: 'loki',
            access: 'proxy',
            url: loki,
            editable: false,
            // From a log line's trace_id back to the trace.
            jsonData: jaeger
              ? {
                  derivedFields: [
                    {
                      name: 'trace_id',
                      matcherType: 'regex',
                      matcherRegex: '"traceId":"(\\w+)"',
                      datasourceUid: DATASOURCE_UIDS.jaeger,
                      url: '$${__value.raw}',
                    },
                  ],
                }
              : {},
          },
        ]
      : []),
  ];
}

function provisioning(shop: ShopDeployment) {
  const datasourcesFile = { apiVersion: 1, datasources: datasources(shop) };
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
  return { 'datasources.yaml': stringify(datasourcesFile), 'dashboards.yaml': stringify(providers) };
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
