// Tracing for one shop: where spans go (an OTLP collector named in the spec, or a Jaeger the operator
// runs); services get it as OTEL_* variables (platform/env.ts), the edge as its tracer's collector.
import { JAEGER_QUERY_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { childName } from './meta.js';
import { deployment, httpProbe, restrictedContainerSecurity, service } from './workload.js';

const JAEGER_UID = 10001;

export interface OtlpCollector {
  host: string;
  grpcPort: number;
  httpPort: number;
}

export function otlpCollector(shop: ShopDeployment): OtlpCollector | undefined {
  const { tracing } = shop.spec.observability;
  if (tracing.otlp) return tracing.otlp;
  if (tracing.jaeger.enabled)
    return { host: childName(shop, 'jaeger'), grpcPort: OTLP_GRPC_PORT, httpPort: OTLP_HTTP_PORT };
  return undefined;
}

/** The Jaeger query API Grafana reads traces from, when the operator runs Jaeger. */
export function jaegerQueryUrl(shop: ShopDeployment): string | undefined {
  if (!shop.spec.observability.tracing.jaeger.enabled) return undefined;
  return `http://${childName(shop, 'jaeger')}:${JAEGER_QUERY_PORT}`;
}

/** Where services send spans (OTLP/HTTP); undefined when traces go nowhere. */
export function otlpTracesUrl(shop: ShopDeployment): string | undefined {
  const collector = otlpCollector(shop);
  return collector && `http://${collector.host}:${collector.httpPort}/v1/traces`;
}

/** Jaeger all-in-one with in-memory storage: OTLP in, the query API and UI out. */
export function renderJaeger(shop: ShopDeployment): KubeObject[] {
  const spec = shop.spec.observability.tracing.jaeger;
  if (!spec.enabled) return [];
  const container = {
    name: 'jaeger',
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [
      { name: 'query', containerPort: JAEGER_QUERY_PORT, protocol: 'TCP' },
      { name: 'otlp-grpc', containerPort: OTLP_GRPC_PORT, protocol: 'TCP' },
      { name: 'otlp-http', containerPort: OTLP_HTTP_PORT, protocol: 'TCP' },
    ],
    // The image's default configuration is all-in-one; it listens on every interface of the pod.
    env: [{ name: 'JAEGER_LISTEN_HOST', value: '0.0.0.0' }],
    resources: spec.resources,
    readinessProbe: httpProbe('/', 'query', 5),
    livenessProbe: httpProbe('/', 'query'),
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    securityContext: restrictedContainerSecurity,
  };
  return [
    deployment({
      shop,
      component: 'jaeger',
      replicas: 1,
      containers: [container],
      volumes: [{ name: 'tmp', emptyDir: {} }],
      runAsUser: JAEGER_UID,
    }),
    service(shop, 'jaeger', [
      { name: 'query', port: JAEGER_QUERY_PORT },
      { name: 'otlp-grpc', port: OTLP_GRPC_PORT },
      { name: 'otlp-http', port: OTLP_HTTP_PORT },
    ]),
  ];
}
