// Alertmanager for one shop: the shop's Prometheus sends its alerts here, and it notifies the
// receivers the ShopDeployment names (webhooks); without any, alerts are only listed by its API.
import { stringify } from 'yaml';
import { ALERTMANAGER_PORT } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { contentHash } from './hash.js';
import { childName } from './meta.js';
import { configMap, deployment, httpProbe, restrictedContainerSecurity, service } from './workload.js';

const NOBODY = 65534;

/** Alertmanager runs when alerting is on and there is a Prometheus to send it alerts. */
function enabled(shop: ShopDeployment): boolean {
  const { alerting, prometheus } = shop.spec.observability;
  return alerting.enabled && prometheus.enabled;
}

export function alertmanagerAddress(shop: ShopDeployment): string | undefined {
  if (!enabled(shop)) return undefined;
  return `${childName(shop, 'alertmanager')}:${ALERTMANAGER_PORT}`;
}

export function renderAlertmanagerConfig(shop: ShopDeployment): string {
  const { webhooks } = shop.spec.observability.alerting;
  const config = {
    route: {
      receiver: 'shop',
      group_by: ['alertname', 'service'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    },
    receivers: [
      {
        name: 'shop',
        ...(webhooks.length
          ? { webhook_configs: webhooks.map((hook) => ({ url: hook.url, send_resolved: true })) }
          : {}),
      },
    ],
  };
  return stringify(config);
}

export function renderAlertmanager(shop: ShopDeployment): KubeObject[] {
  const spec = shop.spec.observability.alerting;
  if (!enabled(shop)) return [];
  const alertmanagerYaml = renderAlertmanagerConfig(shop);
  const container = {
    name: 'alertmanager',
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    args: [
      '--config.file=/etc/alertmanager/alertmanager.yml',
      '--storage.path=/alertmanager',
      // One replica per shop: no gossip with peers.
      '--cluster.listen-address=',
    ],
    ports: [{ name: 'http', containerPort: ALERTMANAGER_PORT, protocol: 'TCP' }],
    resources: spec.resources,
    readinessProbe: httpProbe('/-/ready', 'http', 5),
    livenessProbe: httpProbe('/-/healthy', 'http'),
    volumeMounts: [
      { name: 'config', mountPath: '/etc/alertmanager', readOnly: true },
      { name: 'data', mountPath: '/alertmanager' },
    ],
    securityContext: restrictedContainerSecurity,
  };
  return [
    configMap(shop, 'alertmanager', childName(shop, 'alertmanager'), {
      'alertmanager.yml': alertmanagerYaml,
    }),
    deployment({
      shop,
      component: 'alertmanager',
      replicas: 1,
      containers: [container],
      volumes: [
        { name: 'config', configMap: { name: childName(shop, 'alertmanager') } },
        { name: 'data', emptyDir: {} },
      ],
      podAnnotations: { 'shopstack.io/config-hash': contentHash(alertmanagerYaml) },
      runAsUser: NOBODY,
    }),
    service(shop, 'alertmanager', [{ name: 'http', port: ALERTMANAGER_PORT }]),
  ];
}
