// Names shared by the CRD, the renderers and the controller.
export const GROUP = 'shopstack.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'ShopDeployment';
export const PLURAL = 'shopdeployments';
export const FIELD_MANAGER = 'shopstack-operator';
/**
 * The release this operator belongs to: the default tag of the images it runs. Equal to the chart's
 * version and the operator package's version (a unit test keeps the three equal).
 */
export const RELEASE_VERSION = '0.1.0';

export const SHOP_SERVICES = [
  'users',
  'catalog',
  'orders',
  'payments',
  'notifications',
  'backoffice',
] as const;
export type ShopService = (typeof SHOP_SERVICES)[number];

/** Every service serves REST, /healthz, /readyz and /metrics on HTTP and its gRPC API on GRPC. */
export const HTTP_PORT = 8080;
export const GRPC_PORT = 50051;
export const ENVOY_ADMIN_PORT = 9901;
export const PROMETHEUS_PORT = 9090;
export const GRAFANA_PORT = 3000;
export const ALERTMANAGER_PORT = 9093;
export const JAEGER_QUERY_PORT = 16686;
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
/**
 * How long the edge caches the users service's JWKS. users is told the same figure and publishes a new
 * signing key for longer than this before signing with it.
 */
export const JWKS_CACHE_SECONDS = 300;

/** Children carry this label so one watch per kind finds exactly the operator's objects. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const SHOP_LABEL = 'shopstack.io/shop';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
/**
 * Shards split shops between operator deployments (a canary operator version, one per team, or test
 * isolation on a shared cluster): an operator with SHARD=x handles only shops labelled
 * shopstack.io/shard=x; one without a shard handles only unlabelled shops. Children inherit the label.
 */
export const SHARD_LABEL = 'shopstack.io/shard';
