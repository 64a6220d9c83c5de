// Who may reach the shop's service pods, as NetworkPolicies derived from the one table of services
// (platform/services.ts): a default deny of all ingress to them, then per pod what is allowed. The
// edge reaches every service's HTTP port (routes and health checks); a service's gRPC port is open only
// to the services that call it (their `peers`) and the rate limit service's only to the edge; every
// service reads users' JWKS and token deny list over HTTP (serviceEnv's JWKS_URL); Prometheus scrapes the services'
// metrics on their HTTP port. The edge and the observability pods themselves are not restricted here.
import {
  COMPONENT_LABEL,
  GRPC_PORT,
  HTTP_PORT,
  SHOP_LABEL,
  SHOP_SERVICES,
  type ShopService,
} from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { PLATFORM_SERVICES } from '../platform/services.js';
import { type Component, childMeta, childName, selectorLabels } from './meta.js';

/** Pods the default deny covers: every shop service and the rate limit service. */
export const PROTECTED: readonly Component[] = [...SHOP_SERVICES, 'ratelimit'];

/** The service whose HTTP port every service fetches signing keys from (JWKS_URL in serviceEnv). */
const JWKS_ISSUER: ShopService = 'users';

interface Peer {
  podSelector: { matchLabels: Record<string, string> };
}
interface IngressRule {
  from: Peer[];
  ports: { protocol: 'TCP'; port: number }[];
}

/** Where every service's LOG_SINK_URL points (platform/env.ts). */
const LOG_STORE: ShopService = 'backoffice';

/** The services whose gRPC API calls `target`, read from each one's `peers`. */
export const callersOf = (target: ShopService): ShopService[] =>
  SHOP_SERVICES.filter((caller) => PLATFORM_SERVICES[caller].peers.includes(target));

function rule(shop: ShopDeployment, from: Component[], port: number): IngressRule[] {
  if (from.length === 0) return [];
  return [
    {
      from: from.map((component) => ({ podSelector: { matchLabels: selectorLabels(shop, component) } })),
      ports: [{ protocol: 'TCP', port }],
    },
  ];
}

function policy(shop: ShopDeployment, target: Component, ingress: IngressRule[]): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(shop, 'network-policy', childName(shop, `${target}-ingress`)),
    spec: { podSelector: { matchLabels: selectorLabels(shop, target) }, policyTypes: ['Ingress'], ingress },
  };
}

function servicePolicy(shop: ShopDeployment, name: ShopService): KubeObject {
  const prometheus: Component[] = shop.spec.observability.prometheus.enabled ? ['prometheus'] : [];
  const jwksReaders = name === JWKS_ISSUER ? SHOP_SERVICES.filter((s) => s !== name) : [];
  // Every service ships its warnings and errors to the back office's log intake over HTTP.
  const logShippers = name === LOG_STORE ? SHOP_SERVICES.filter((s) => s !== name) : [];
  return policy(shop, name, [
    ...rule(shop, ['edge', ...prometheus, ...jwksReaders, ...logShippers], HTTP_PORT),
    ...rule(shop, callersOf(name), GRPC_PORT),
  ]);
}

function defaultDeny(shop: ShopDeployment): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(shop, 'network-policy', childName(shop, 'default-deny-ingress')),
    // No ingress rules: nothing reaches these pods but what the policies below allow.
    spec: {
      podSelector: {
        matchLabels: { [SHOP_LABEL]: shop.metadata.name },
        matchExpressions: [{ key: COMPONENT_LABEL, operator: 'In', values: [...PROTECTED] }],
      },
      policyTypes: ['Ingress'],
    },
  };
}

export function renderNetworkPolicies(shop: ShopDeployment): KubeObject[] {
  return [
    defaultDeny(shop),
    ...SHOP_SERVICES.map((name) => servicePolicy(shop, name)),
    policy(shop, 'ratelimit', rule(shop, ['edge'], GRPC_PORT)),
  ];
}
