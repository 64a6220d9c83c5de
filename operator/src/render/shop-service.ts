// A shop service (users, catalog, orders, payments, notifications, backoffice): its Deployment, headless Service and PDB.
import { GRPC_PORT, HTTP_PORT, type ShopService } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import {
  type EnvVar,
  fromSecret,
  type SecretRef,
  serviceEnvironment,
  WEBHOOK_PATH,
} from '../platform/env.js';
import { PROBES, SHUTDOWN, TERMINATION_GRACE_SECONDS } from '../platform/services.js';
import { GRPC_TLS_MOUNT, grpcTlsVolume, grpcTlsVolumeMount } from './certificates.js';
import { edgeUrl } from './edge.js';
import { childName } from './meta.js';
import { otlpTracesUrl } from './tracing.js';
import {
  deployment,
  httpProbe,
  podDisruptionBudget,
  restrictedContainerSecurity,
  SERVICE_UID,
  service,
  startupProbe,
} from './workload.js';

export function serviceImage(shop: ShopDeployment, name: ShopService): string {
  const { registry, tag } = shop.spec.images;
  return shop.spec.services[name].image ?? `${registry}/${name}:${tag}`;
}

/** The Secret with a service's own database URL: as the spec names it, else `<shop>-<service>-database`. */
export function databaseSecret(shop: ShopDeployment, name: ShopService): SecretRef {
  return shop.spec.services[name].database ?? { name: childName(shop, `${name}-database`), key: 'url' };
}

/**
 * A service's environment in a pod: listen on every interface, connection URLs from the referenced
 * Secrets, token verification, and its peers' gRPC addresses (platform/env.ts is the contract).
 */
export function serviceEnv(shop: ShopDeployment, name: ShopService): EnvVar[] {
  const { secrets, edge } = shop.spec;
  return serviceEnvironment(name, {
    host: '0.0.0.0',
    httpPort: HTTP_PORT,
    grpcPort: GRPC_PORT,
    database: fromSecret(databaseSecret(shop, name)),
    broker: fromSecret(secrets.rabbitmq),
    peerAddress: (peer) => `${childName(shop, peer)}:${GRPC_PORT}`,
    grpcTlsDir: GRPC_TLS_MOUNT,
    jwksUrl: `http://${childName(shop, 'users')}:${HTTP_PORT}/.well-known/jwks.json`,
    // users issues tokens for the first audience; the edge accepts every listed one.
    jwt: { issuer: edge.jwt.issuer, audience: edge.jwt.audiences[0] ?? 'shopstack' },
    secret: (kind) => {
      const ref = secrets[kind];
      return ref ? fromSecret(ref) : undefined;
    },
    payments: { ...shop.spec.payments, webhookUrl: `${edgeUrl(shop)}${WEBHOOK_PATH}` },
    tracesUrl: otlpTracesUrl(shop),
    logSinkUrl: `http://${childName(shop, 'backoffice')}:${HTTP_PORT}/internal/log-events`,
  });
}

export function renderShopService(shop: ShopDeployment, name: ShopService): KubeObject[] {
  const spec = shop.spec.services[name];
  const container = {
    name,
    image: serviceImage(shop, name),
    imagePullPolicy: shop.spec.images.pullPolicy,
    ports: [
      { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
      { name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' },
    ],
    env: serviceEnv(shop, name),
    volumeMounts: [grpcTlsVolumeMount],
    resources: spec.resources,
    readinessProbe: httpProbe(PROBES.readiness, 'http', 5),
    livenessProbe: httpProbe(PROBES.liveness, 'http'),
    startupProbe: startupProbe(PROBES.liveness, 'http'),
    lifecycle: { preStop: { sleep: { seconds: SHUTDOWN.preStop } } },
    securityContext: restrictedContainerSecurity,
  };
  return [
    deployment({
      shop,
      component: name,
      replicas: spec.replicas,
      containers: [container],
      volumes: [grpcTlsVolume(shop, name)],
      // The image's user (services/Dockerfile); as the pod's fsGroup it may read the mounted key (0440).
      runAsUser: SERVICE_UID,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    }),
    // Headless: callers and the edge resolve every pod, so gRPC and health checks see each one.
    service(
      shop,
      name,
      [
        { name: 'http', port: HTTP_PORT },
        { name: 'grpc', port: GRPC_PORT },
      ],
      { headless: true },
    ),
    ...podDisruptionBudget(shop, name, spec.replicas),
  ];
}
