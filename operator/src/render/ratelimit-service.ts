// The edge's global rate limit service (services/ratelimit): a Deployment and a headless Service, so
// every edge replica's STRICT_DNS cluster reaches every pod. Its rules come from the same input as the
// Envoy config, so the limits the edge asks about and the limits enforced cannot drift apart.
import { GRPC_PORT, HTTP_PORT } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { GRPC_TLS_MOUNT, grpcTlsVolume, grpcTlsVolumeMount } from './certificates.js';
import { edgeEnvoyInput } from './edge.js';
import { RATE_LIMIT_DOMAIN, rateLimitRules } from './envoy/index.js';
import { childName } from './meta.js';
import {
  deployment,
  httpProbe,
  podDisruptionBudget,
  restrictedContainerSecurity,
  SERVICE_UID,
  service,
  startupProbe,
} from './workload.js';

export const rateLimitServiceName = (shop: ShopDeployment) => childName(shop, 'ratelimit');

export function renderRateLimitService(shop: ShopDeployment): KubeObject[] {
  const spec = shop.spec.edge.rateLimitService;
  const { registry, tag } = shop.spec.images;
  const redis = shop.spec.secrets.redis;
  const container = {
    name: 'ratelimit',
    image: spec.image ?? `${registry}/ratelimit:${tag}`,
    imagePullPolicy: shop.spec.images.pullPolicy,
    ports: [
      { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
      { name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' },
    ],
    env: [
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'HTTP_PORT', value: String(HTTP_PORT) },
      { name: 'GRPC_PORT', value: String(GRPC_PORT) },
      // Mutual TLS: only the edge (Envoy, with its own certificate) may ask.
      { name: 'GRPC_TLS_DIR', value: GRPC_TLS_MOUNT },
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: redis.name, key: redis.key } } },
      { name: 'RATE_LIMIT_DOMAIN', value: RATE_LIMIT_DOMAIN },
      { name: 'RATE_LIMIT_RULES', value: JSON.stringify(rateLimitRules(edgeEnvoyInput(shop))) },
    ],
    resources: spec.resources,
    readinessProbe: httpProbe('/readyz', 'http', 5),
    livenessProbe: httpProbe('/healthz', 'http'),
    startupProbe: startupProbe('/healthz', 'http'),
    volumeMounts: [grpcTlsVolumeMount],
    securityContext: restrictedContainerSecurity,
  };
  return [
    deployment({
      shop,
      component: 'ratelimit',
      replicas: spec.replicas,
      containers: [container],
      volumes: [grpcTlsVolume(shop, 'ratelimit')],
      // The image's user (services/Dockerfile); as the pod's fsGroup it may read the mounted key.
      runAsUser: SERVICE_UID,
    }),
    service(
      shop,
      'ratelimit',
      [
        { name: 'http', port: HTTP_PORT },
        { name: 'grpc', port: GRPC_PORT },
      ],
      { headless: true },
    ),
    ...podDisruptionBudget(shop, 'ratelimit', spec.replicas),
  ];
}
