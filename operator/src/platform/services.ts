// The platform's services, once: what each one stores in, which peers it calls, which Secrets only it
// reads, how it is probed and where it listens when run as a process on this machine. The cluster
// renderers (Deployments, Services, the Envoy edge, Prometheus), the local platform (`npm start`, via
// cli/local-platform.ts) and the edge config it renders all read this table, so none retypes it.
import { SHOP_SERVICES, type ShopService } from '../api/constants.js';

export type Store = 'postgres' | 'mongodb';
/** Secrets of the ShopDeployment that one service alone reads, by the spec's name for them. */
export type OwnSecret =
  | 'apiKeyPepper'
  | 'paymentsWebhook'
  | 'signingKeys'
  | 'smtp'
  | 'unsubscribeSigning'
  | 'webhookSecrets';

export interface PlatformService {
  store: Store;
  /** Talks to RabbitMQ (outbox, inbox, consumers). */
  broker: boolean;
  /** Services whose gRPC API it calls; it reads `<PEER>_GRPC_ADDRESS` for each. */
  peers: readonly ShopService[];
  /** Environment variable → the Secret it comes from. */
  ownSecrets: Readonly<Partial<Record<string, OwnSecret>>>;
  /** Ports of the process `npm start` runs (in a pod every service uses HTTP_PORT / GRPC_PORT). */
  local: { httpPort: number; grpcPort: number };
}

/**
 * How a service stops, in seconds. On SIGTERM it reports not-ready at once and keeps serving for
 * `drain` (the edge health-checks /readyz every 5 s and drops a host after two failures, so 12 s
 * covers it), then closes its listeners and has `timeout` for requests in flight. In a pod the
 * kubelet first runs a preStop pause of `preStop`, so endpoint and DNS changes for the terminating
 * pod propagate before the process hears anything; terminationGracePeriodSeconds covers all three.
 */
export const SHUTDOWN = { preStop: 5, drain: 12, timeout: 15 } as const;
export const TERMINATION_GRACE_SECONDS = SHUTDOWN.preStop + SHUTDOWN.drain + SHUTDOWN.timeout + 3;

/** Every service serves these on HTTP; the edge health-checks readiness too. */
export const PROBES = { readiness: '/readyz', liveness: '/healthz', metrics: '/metrics' } as const;

export const PLATFORM_SERVICES: Readonly<Record<ShopService, PlatformService>> = {
  users: {
    store: 'postgres',
    broker: true,
    peers: [],
    ownSecrets: { SIGNING_KEY_ENCRYPTION_KEY: 'signingKeys', API_KEY_PEPPER: 'apiKeyPepper' },
    local: { httpPort: 8081, grpcPort: 50051 },
  },
  catalog: {
    store: 'postgres',
    broker: true,
    peers: [],
    ownSecrets: {},
    local: { httpPort: 8082, grpcPort: 50052 },
  },
  orders: {
    store: 'postgres',
    broker: true,
    peers: ['catalog', 'payments'],
    ownSecrets: {},
    local: { httpPort: 8083, grpcPort: 50053 },
  },
  payments: {
    store: 'mongodb',
    broker: true,
    peers: [],
    ownSecrets: { SANDBOX_WEBHOOK_SECRET: 'paymentsWebhook' },
    local: { httpPort: 8084, grpcPort: 50054 },
  },
  notifications: {
    store: 'postgres',
    broker: true,
    // Recipients' addresses when an event names only a user.
    peers: ['users'],
    ownSecrets: {
      SMTP_URL: 'smtp',
      UNSUBSCRIBE_SECRET: 'unsubscribeSigning',
      WEBHOOK_SECRET_ENCRYPTION_KEY: 'webhookSecrets',
    },
    local: { httpPort: 8085, grpcPort: 50055 },
  },
  // The admin API and the system worker. Its reporting store is fed by events (the broker); payments'
  // ledger reconciliation is read over gRPC by the anomaly rules; the one-customer view, the user
  // actions and the repairs go to each owner over gRPC.
  backoffice: {
    store: 'postgres',
    broker: true,
    peers: ['users', 'catalog', 'orders', 'payments', 'notifications'],
    ownSecrets: {},
    local: { httpPort: 8086, grpcPort: 50056 },
  },
};

/**
 * The web app's service (services/web: the storefront and console's files): no store, no broker, no
 * gRPC, no peers. The edge sends it every path no API route takes (`/`).
 */
export const WEB_SERVICE = { name: 'web', local: { httpPort: 8088 } } as const;

/** The variable a service reads its store's connection URL from. */
export const STORE_ENV: Readonly<Record<Store, string>> = { postgres: 'DATABASE_URL', mongodb: 'MONGO_URL' };

/**
 * Everything with a gRPC identity (a certificate from the shop's CA): the services, the edge's rate
 * limit service, and the edge itself, which calls it.
 */
export const GRPC_IDENTITIES = [...SHOP_SERVICES, 'ratelimit', 'edge'] as const;
export type GrpcIdentity = (typeof GRPC_IDENTITIES)[number];

export const peerEnv = (peer: ShopService) => `${peer.toUpperCase()}_GRPC_ADDRESS`;
