// The Envoy edge: ConfigMap with the rendered bootstrap, Deployment, Service and PDB.
import { ENVOY_ADMIN_PORT, GRPC_PORT, HTTP_PORT, SHOP_SERVICES, type ShopService } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { SHUTDOWN } from '../platform/services.js';
import {
  certificateVersion,
  GRPC_TLS_MOUNT,
  grpcTlsVolume,
  grpcTlsVolumeMount,
  type ShopPki,
} from './certificates.js';
import { PRE_STOP_PATH } from './envoy/drain.js';
import { type EnvoyConfigInput, renderEnvoyYaml } from './envoy/index.js';
import { contentHash } from './hash.js';
import { childName } from './meta.js';
import { otlpCollector } from './tracing.js';
import {
  configMap,
  deployment,
  podDisruptionBudget,
  restrictedContainerSecurity,
  service,
} from './workload.js';

export const EDGE_OPS_PORT = 9902;
/** Where the edge pod mounts its TLS Secret (keys tls.crt and tls.key, as kubernetes.io/tls has them). */
const TLS_DIR = '/etc/shopstack/edge-tls';

export const edgeTlsSecretName = (shop: ShopDeployment) =>
  shop.spec.edge.tls.secretName ?? `${childName(shop, 'edge')}-tls`;
const ENVOY_UID = 101;
/** The endpoint's removal reaching kube-proxy, then time for busy clients to send one more request. */
const EDGE_DRAIN_HOLD_SECONDS = SHUTDOWN.preStop + 5;

export function edgeEnvoyInput(shop: ShopDeployment): EnvoyConfigInput {
  const edge = shop.spec.edge;
  const upstreams = Object.fromEntries(
    SHOP_SERVICES.map((name) => [name, { host: childName(shop, name), port: HTTP_PORT }]),
  ) as Record<ShopService, { host: string; port: number }>;
  return {
    bindAddress: '0.0.0.0',
    listenPort: edge.port,
    opsPort: EDGE_OPS_PORT,
    adminPort: ENVOY_ADMIN_PORT,
    drainHoldSeconds: EDGE_DRAIN_HOLD_SECONDS,
    upstreams,
    jwt: edge.jwt,
    rateLimit: edge.rateLimit,
    authRateLimit: edge.authRateLimit,
    userRateLimit: edge.userRateLimit,
    rateLimitService: {
      host: childName(shop, 'ratelimit'),
      port: GRPC_PORT,
      // The edge's own certificate (mounted from its Secret) to the rate limit service, mutual TLS.
      mtls: { dir: GRPC_TLS_MOUNT, serverIdentity: 'ratelimit' },
    },
    trustedProxyHops: edge.trustedProxyHops,
    requestTimeoutSeconds: edge.requestTimeoutSeconds,
    tracing: tracingInput(shop),
    corsAllowedOrigins: edge.cors.allowedOrigins,
    tls: edge.tls.enabled
      ? { certificateChainFile: `${TLS_DIR}/tls.crt`, privateKeyFile: `${TLS_DIR}/tls.key` }
      : undefined,
  };
}

function tracingInput(shop: ShopDeployment): EnvoyConfigInput['tracing'] {
  const collector = otlpCollector(shop);
  if (!collector) return undefined;
  return { collector: { host: collector.host, port: collector.grpcPort }, serviceName: 'edge' };
}

export function edgeUrl(shop: ShopDeployment): string {
  return `${edgeScheme(shop)}://${childName(shop, 'edge')}.${shop.metadata.namespace}.svc:${shop.spec.edge.port}`;
}

export function edgeScheme(shop: ShopDeployment): 'http' | 'https' {
  return shop.spec.edge.tls.enabled ? 'https' : 'http';
}

export function renderEdge(shop: ShopDeployment, pki?: ShopPki): KubeObject[] {
  const edge = shop.spec.edge;
  const envoyYaml = renderEnvoyYaml(edgeEnvoyInput(shop));
  const container = {
    name: 'envoy',
    image: edge.image,
    imagePullPolicy: 'IfNotPresent',
    args: ['-c', '/etc/envoy/envoy.yaml', '--log-level', 'info'],
    ports: [
      { name: 'http', containerPort: edge.port, protocol: 'TCP' },
      { name: 'ops', containerPort: EDGE_OPS_PORT, protocol: 'TCP' },
    ],
    resources: edge.resources,
    readinessProbe: { httpGet: { path: '/ready', port: 'ops' }, periodSeconds: 5, timeoutSeconds: 2 },
    livenessProbe: {
      httpGet: { path: '/ready', port: 'ops' },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    // Envoy exits at once on SIGTERM. The hook first has every client connection closed after its
    // next answer while the endpoint's removal reaches kube-proxy and the load balancers (drain.ts),
    // so clients reconnect to the other replicas while this one still serves.
    lifecycle: { preStop: { httpGet: { path: PRE_STOP_PATH, port: 'ops' } } },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/envoy', readOnly: true },
      ...(edge.tls.enabled ? [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }] : []),
      grpcTlsVolumeMount,
    ],
    securityContext: restrictedContainerSecurity,
  };
  return [
    configMap(shop, 'edge', childName(shop, 'edge'), { 'envoy.yaml': envoyYaml }),
    deployment({
      shop,
      component: 'edge',
      replicas: edge.replicas,
      containers: [container],
      volumes: [
        { name: 'config', configMap: { name: childName(shop, 'edge') } },
        ...(edge.tls.enabled ? [{ name: 'tls', secret: { secretName: edgeTlsSecretName(shop) } }] : []),
        grpcTlsVolume(shop, 'edge'),
      ],
      podAnnotations: {
        'shopstack.io/config-hash': contentHash(envoyYaml),
        // Envoy reads its gRPC client certificate at start: a renewed one rolls the edge pods.
        ...(certificateVersion(pki, 'edge')
          ? { 'shopstack.io/grpc-certificate': certificateVersion(pki, 'edge')! }
          : {}),
      },
      runAsUser: ENVOY_UID,
    }),
    service(
      shop,
      'edge',
      [
        { name: 'http', port: edge.port },
        { name: 'ops', port: EDGE_OPS_PORT },
      ],
      { type: edge.serviceType },
    ),
    ...podDisruptionBudget(shop, 'edge', edge.replicas),
  ];
}
