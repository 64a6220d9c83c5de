// Everything a ShopDeployment should own, as plain objects: the controller applies exactly this list.
import { SHOP_SERVICES } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { renderEdge } from './edge.js';
import { type Dashboards, renderGrafana } from './grafana.js';
import { renderPrometheus } from './prometheus.js';
import { renderRateLimitService } from './ratelimit-service.js';
import { renderShopService } from './shop-service.js';

export interface RenderContext {
  dashboards: Dashboards;
}

export function renderShop(shop: ShopDeployment, context: RenderContext): KubeObject[] {
  return [
    ...SHOP_SERVICES.flatMap((name) => renderShopService(shop, name)),
    ...renderEdge(shop),
    ...renderRateLimitService(shop),
    ...renderPrometheus(shop),
    ...renderGrafana(shop, context.dashboards),
  ];
}

export { edgeEnvoyInput, edgeUrl } from './edge.js';
export type { Dashboards } from './grafana.js';
export { type Component, childName } from './meta.js';
export { renderPrometheusConfig } from './prometheus.js';
export { serviceEnv, serviceImage } from './shop-service.js';
