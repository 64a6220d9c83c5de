// Names, labels and ownership shared by every child object of a ShopDeployment.
import {
  API_VERSION,
  COMPONENT_LABEL,
  FIELD_MANAGER,
  KIND,
  MANAGED_BY_LABEL,
  SHARD_LABEL,
  SHOP_LABEL,
} from '../api/constants.js';
import type { ObjectMeta, ShopDeployment } from '../api/shop-deployment.js';

export type Component =
  | 'users'
  | 'catalog'
  | 'orders'
  | 'payments'
  | 'notifications'
  | 'backoffice'
  | 'edge'
  | 'ratelimit'
  | 'prometheus'
  | 'grafana'
  | 'jaeger'
  | 'alertmanager'
  /** The services' CA (its Secret), which belongs to no one workload. */
  | 'pki'
  /** The shop's NetworkPolicies, which belong to no one workload. */
  | 'network-policy';

export const childName = (shop: ShopDeployment, suffix: string) => `${shop.metadata.name}-${suffix}`;

/** Labels a Deployment selects its pods by; immutable once the Deployment exists. */
export function selectorLabels(shop: ShopDeployment, component: Component): Record<string, string> {
  return { [SHOP_LABEL]: shop.metadata.name, [COMPONENT_LABEL]: component };
}

export function labels(shop: ShopDeployment, component: Component): Record<string, string> {
  return {
    ...selectorLabels(shop, component),
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': shop.metadata.name,
    'app.kubernetes.io/part-of': 'shopstack',
    [MANAGED_BY_LABEL]: FIELD_MANAGER,
    ...shardLabel(shop),
  };
}

export function shardLabel(shop: ShopDeployment): Record<string, string> {
  const shard = shop.metadata.labels?.[SHARD_LABEL];
  return shard ? { [SHARD_LABEL]: shard } : {};
}

/** Metadata of a child: in the shop's namespace, labelled, and owned by the shop (so GC removes it). */
export function childMeta(
  shop: ShopDeployment,
  component: Component,
  name = childName(shop, component),
): ObjectMeta {
  return {
    name,
    namespace: shop.metadata.namespace,
    labels: labels(shop, component),
    ownerReferences: [
      {
        apiVersion: API_VERSION,
        kind: KIND,
        name: shop.metadata.name,
        uid: shop.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
}
