// A shop service (users, catalog, orders, payments, notifications): its Deployment, headless Service and PDB.
import { GRPC_PORT, HTTP_PORT, SHOP_SERVICES, type ShopService } from '../api/constants.js';
import type { KubeObject, ShopDeployment } from '../api/shop-deployment.js';
import { childName } from './meta.js';
import {
  deployment,
  httpProbe,
  podDisruptionBudget,
  restrictedContainerSecurity,
  service,
} from './workload.js';

/** Which connection each service needs; payments keeps its ledger in MongoDB, the others in PostgreSQL. */
const STORE: Record<ShopService, 'postgres' | 'mongodb'> = {
  users: 'postgres',
  catalog: 'postgres',
  orders: 'postgres',
  payments: 'mongodb',
  notifications: 'postgres',
};

const STORE_ENV = { postgres: 'DATABASE_URL', mongodb: 'MONGO_URL' } as const;

export function serviceImage(shop: ShopDeployment, name: ShopService): string {
  const { registry, tag } = shop.spec.images;
  return shop.spec.services[name].image ?? `${registry}/${name}:${tag}`;
}

function secretEnv(name: string, ref: { name: string; key: string }) {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}

/** Secrets only one service reads. */
function ownSecrets(shop: ShopDeployment, name: ShopService) {
  const { secrets } = shop.spec;
  if (name === 'payments') return [secretEnv('SANDBOX_WEBHOOK_SECRET', secrets.paymentsWebhook)];
  if (name === 'users' && secrets.signingKeys) {
    return [secretEnv('SIGNING_KEY_ENCRYPTION_KEY', secrets.signingKeys)];
  }
  return [];
}

/**
 * The environment contract between the operator and every service (each service's config.ts):
 * listen on every interface of the pod, connection URLs from the referenced Secrets, token
 * verification, and the peers' gRPC addresses.
 */
export function serviceEnv(shop: ShopDeployment, name: ShopService) {
  const { secrets, edge } = shop.spec;
  const store = STORE[name];
  const peers = SHOP_SERVICES.map((peer) => ({
    name: `${peer.toUpperCase()}_GRPC_ADDRESS`,
    value: `${childName(shop, peer)}:${GRPC_PORT}`,
  }));
  return [
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'HTTP_PORT', value: String(HTTP_PORT) },
    { name: 'GRPC_PORT', value: String(GRPC_PORT) },
    secretEnv(STORE_ENV[store], secrets[store]),
    secretEnv('AMQP_URL', secrets.rabbitmq),
    { name: 'JWT_ISSUER', value: edge.jwt.issuer },
    // users issues tokens for the first audience; the edge accepts every listed one.
    { name: 'JWT_AUDIENCE', value: edge.jwt.audiences[0] },
    { name: 'JWKS_URL', value: `http://${childName(shop, 'users')}:${HTTP_PORT}/.well-known/jwks.json` },
    ...peers,
    ...ownSecrets(shop, name),
  ];
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
    resources: spec.resources,
    readinessProbe: httpProbe('/readyz', 'http', 5),
    livenessProbe: httpProbe('/healthz', 'http'),
    securityContext: restrictedContainerSecurity,
  };
  return [
    deployment({ shop, component: name, replicas: spec.replicas, containers: [container] }),
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
