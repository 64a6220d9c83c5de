// Assembles the orders service: database, catalog and payments clients, the outbox relay, the saga
// replies consumer, the saga engine, the HTTP API and the read-only gRPC API. main.ts runs it as a process; tests start it
// in-process on port 0.
import {
  createGrpcServer,
  createHttpApp,
  createJwtVerifier,
  createLogger,
  createMetrics,
  createPgPool,
  HttpRoutes,
  OutboxRelay,
  pgReadiness,
  type RunningService,
  rabbitReadiness,
  setupTracing,
  startService,
} from '@shopstack/kit';
import { loadDescriptorSet } from '@shopstack/proto';
import { OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { createCatalogClient } from './adapters/catalog-client.js';
import { migrateOrdersDb } from './adapters/migrate.js';
import { createPaymentsClient } from './adapters/payments-client.js';
import { startRepliesConsumer } from './adapters/replies-consumer.js';
import { ordersGrpcService } from './api/grpc.js';
import { cartRoutes } from './api/http/cart-routes.js';
import { orderRoutes } from './api/http/order-routes.js';
import { registerOrdersMetrics } from './api/metrics.js';
import type { OrdersDeps } from './app/deps.js';
import { SagaEngine } from './app/saga-engine.js';
import { handleStockReply } from './app/saga-replies.js';
import type { OrdersConfig } from './config.js';

export interface OrdersService extends RunningService {
  deps: OrdersDeps;
  engine: SagaEngine;
}

export async function startOrdersService(config: OrdersConfig): Promise<OrdersService> {
  setupTracing({
    service: 'orders',
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  });
  const logger = createLogger({ service: 'orders', level: config.LOG_LEVEL });
  const metrics = createMetrics('orders');
  await migrateOrdersDb(config.DATABASE_URL, logger);
  const pool = createPgPool(config.DATABASE_URL, { name: 'orders', max: config.SAGA_WORKERS + 10 });

  const clientOptions = {
    metrics,
    deadlineMs: config.GRPC_DEADLINE_MS,
    breakerResetMs: config.BREAKER_RESET_MS,
  };
  const catalog = createCatalogClient({ address: config.CATALOG_GRPC_ADDRESS, ...clientOptions });
  const payments = createPaymentsClient({
    address: config.PAYMENTS_GRPC_ADDRESS,
    holdTtlSeconds: config.HOLD_TTL_SECONDS,
    ...clientOptions,
  });
  let engine: SagaEngine | undefined;
  const deps: OrdersDeps = {
    pool,
    logger,
    catalog,
    payments,
    stockRoute: { exchange: config.COMMANDS_EXCHANGE, replyTo: config.REPLIES_QUEUE },
    eventsExchange: config.EVENTS_EXCHANGE,
    timeouts: {
      reserveStockMs: config.RESERVE_STOCK_TIMEOUT_MS,
      holdFundsMs: config.HOLD_FUNDS_TIMEOUT_MS,
      commitStockResendMs: config.COMMIT_STOCK_RESEND_MS,
    },
    wakeSaga: () => engine?.wake(),
  };
  registerOrdersMetrics(metrics, pool);
  engine = new SagaEngine(deps, config.SAGA_POLL_MS, config.SAGA_WORKERS);

  const replies = await startRepliesConsumer({
    amqpUrl: config.AMQP_URL,
    commandsExchange: config.COMMANDS_EXCHANGE,
    eventsExchange: config.EVENTS_EXCHANGE,
    queue: config.REPLIES_QUEUE,
    pool,
    logger,
    handle: (client, message) => handleStockReply(client, deps, message),
  });
  const relay = new OutboxRelay({ pool, amqpUrl: config.AMQP_URL, logger, pollIntervalMs: 500 });

  const verifier = createJwtVerifier({
    jwksUrl: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const routes = new HttpRoutes({ verifier, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES });
  cartRoutes(routes, deps);
  orderRoutes(routes, deps);
  let accepting = true;
  const http = createHttpApp({
    service: 'orders',
    logger,
    metrics,
    routes,
    openApi: { title: 'ShopStack orders', version: '1.0.0', description: 'Cart, checkout and orders' },
    readiness: [pgReadiness(pool), rabbitReadiness(() => replies.isConnected())],
    isAccepting: () => accepting,
  });

  const grpc = createGrpcServer({
    logger,
    metrics,
    descriptorSet: loadDescriptorSet(),
    services: [{ definition: OrdersServiceDefinition, implementation: ordersGrpcService(deps) }],
  });

  const running = await startService({
    logger,
    host: config.HOST,
    httpPort: config.HTTP_PORT,
    http,
    grpcPort: config.GRPC_PORT,
    grpc,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStopAccepting: () => {
      accepting = false;
    },
    closers: [
      () => pool.end(),
      async () => {
        catalog.close();
        payments.close();
      },
      () => relay.stop(),
      () => replies.close(),
      () => engine.stop(),
    ],
  });
  relay.start();
  engine.start(); // resumes every unfinished saga
  return { ...running, deps, engine };
}
