// Everything a ShopDeployment should own, as plain objects: the controller applies exactly this list.
import { SHOP_SERVICES } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { renderAlertmanager } from './alertmanager.js';
import { renderCertificateSecrets, type ShopPki } from './certificates.js';
import { renderEdge } from './edge.js';
import { type Dashboards, renderGrafana } from './grafana.js';
import { renderNetworkPolicies } from './network-policy.js';
import { type RuleFiles, renderPrometheus } from './prometheus.js';
import { renderRateLimitService } from './ratelimit-service.js';
import { renderShopService } from './shop-service.js';
import { renderJaeger } from './tracing.js';

export interface RenderContext {
  dashboards: Dashboards;
  /** Prometheus rule files (observability/prometheus/rules), rendered into Prometheus' ConfigMap. */
  rules?: RuleFiles;
  /** The services' CA and certificates to keep in Secrets (the reconciler issues them; absent: none rendered). */
  pki?: ShopPki;
}

export function renderShop(shop: ShopDeployment, context: RenderContext): KubeObject[] {
  return [
    ...SHOP_SERVICES.flatMap((name) => renderShopService(shop, name)),
    ...renderEdge(shop, context.pki),
    ...renderRateLimitService(shop),
    ...renderPrometheus(shop, context.rules),
    ...renderAlertmanager(shop),
    ...renderJaeger(shop),
    ...renderGrafana(shop, context.dashboards),
    ...renderNetworkPolicies(shop),
    ...renderCertificateSecrets(shop, context.pki),
  ];
}

export { renderAlertmanagerConfig } from './alertmanager.js';
export {
  caSecretName,
  GRPC_TLS_MOUNT,
  type KeyPairPem,
  pemsOf,
  type ShopPki,
  serviceDnsNames,
  serviceTlsSecretName,
} from './certificates.js';
export { edgeEnvoyInput, edgeScheme, edgeTlsSecretName, edgeUrl } from './edge.js';
export type { Dashboards } from './grafana.js';
export { type Component, childName } from './meta.js';
export { type RuleFiles, renderPrometheusConfig } from './prometheus.js';
export { serviceEnv, serviceImage } from './shop-service.js';
