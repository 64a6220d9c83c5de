// Wiring: configuration in, a running catalog service out. Used by main.ts and by the tests.
import { fileURLToPath } from 'node:url';
import {
  createGrpcServer,
  createHttpApp,
  createJwtVerifier,
  createLogger,
  createMetrics,
  createPgPool,
  HttpRoutes,
  type Logger,
  OutboxRelay,
  pgReadiness,
  type RunningService,
  rabbitReadiness,
  runMigrations,
  setupTracing,
  startService,
} from '@shopstack/kit';
import { loadDescriptorSet } from '@shopstack/proto';
import { CatalogServiceDefinition } from '@shopstack/proto/shop/catalog/v1/catalog';
import { startOrderEventsConsumer } from './adapters/order-events-consumer.js';
import { startSagaStockCommands } from './adapters/saga-stock-commands.js';
import { catalogGrpcService } from './api/grpc/catalog-grpc.js';
import { addCategoryRoutes } from './api/http/category-routes.js';
import { addFavouriteRoutes } from './api/http/favourite-routes.js';
import { addProductRoutes } from './api/http/product-routes.js';
import { addReviewRoutes } from './api/http/review-routes.js';
import type { CatalogDeps } from './app/deps.js';
import { createCatalogMetrics } from './app/metrics.js';
import type { CatalogConfig } from './config.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export interface CatalogService extends RunningService {
  deps: CatalogDeps;
  relay: OutboxRelay | undefined;
}

export async function startCatalogService(config: CatalogConfig, logger?: Logger): Promise<CatalogService> {
  setupTracing({
    service: 'catalog',
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  });
  const log = logger ?? createLogger({ service: 'catalog', level: config.LOG_LEVEL });
  await runMigrations({ databaseUrl: config.DATABASE_URL, dir: migrationsDir, logger: log });
  const pool = createPgPool(config.DATABASE_URL, { name: 'catalog', max: config.PG_POOL_SIZE });
  const metrics = createMetrics('catalog');
  const deps: CatalogDeps = { pool, logger: log, metrics: createCatalogMetrics(metrics) };

  const orderEvents = await startOrderEventsConsumer({
    amqpUrl: config.AMQP_URL,
    exchange: config.EVENTS_EXCHANGE,
    queue: config.ORDER_EVENTS_QUEUE,
    pool,
    logger: log,
    metrics: deps.metrics,
    connectionName: `catalog ${config.ORDER_EVENTS_QUEUE}`,
  });

  // The checkout saga's stock commands; replies leave through the outbox, published by the relay.
  const sagaCommands =
    config.SAGA_COMMANDS === 'on'
      ? await startSagaStockCommands({
          amqpUrl: config.AMQP_URL,
          exchange: config.COMMANDS_EXCHANGE,
          queue: config.SAGA_COMMANDS_QUEUE,
          pool,
          logger: log,
        })
      : undefined;
  const relay =
    config.OUTBOX_RELAY === 'on'
      ? new OutboxRelay({ pool, amqpUrl: config.AMQP_URL, logger: log })
      : undefined;
  relay?.start();

  const verifier = createJwtVerifier({
    jwksUrl: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const routes = new HttpRoutes({ verifier, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES });
  addProductRoutes(routes, deps);
  addCategoryRoutes(routes, deps);
  addReviewRoutes(routes, deps);
  addFavouriteRoutes(routes, deps);

  let accepting = true;
  const http = createHttpApp({
    service: 'catalog',
    logger: log,
    metrics,
    routes,
    openApi: {
      title: 'ShopStack catalog',
      version: '1.0.0',
      description: 'Products, categories, stock, reviews and favourites',
    },
    readiness: [
      pgReadiness(pool),
      rabbitReadiness(() => orderEvents.isConnected() && (sagaCommands?.isConnected() ?? true)),
    ],
    isAccepting: () => accepting,
  });
  const grpc = createGrpcServer({
    logger: log,
    metrics,
    descriptorSet: loadDescriptorSet(),
    services: [{ definition: CatalogServiceDefinition, implementation: catalogGrpcService(deps) }],
  });

  const running = await startService({
    logger: log,
    host: config.HOST,
    httpPort: config.HTTP_PORT,
    http,
    grpcPort: config.GRPC_PORT,
    grpc,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStopAccepting: () => {
      accepting = false;
    },
    // Closed in reverse: consumers and relay stop before the pool they use.
    closers: [
      () => pool.end(),
      () => orderEvents.close(),
      async () => sagaCommands?.close(),
      async () => relay?.stop(),
    ],
  });
  return { ...running, deps, relay };
}
