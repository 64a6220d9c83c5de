// The orders service's own parts: the catalog and payments clients, the saga replies consumer, the
// saga engine, the HTTP API and the read-only gRPC API. The kit boots it (see @shopstack/kit's
// boot.ts); main.ts runs it as a process, tests start it in-process on port 0.
import { bootService, defineService } from '@shopstack/kit';
import { OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { createCatalogClient } from './adapters/catalog-client.js';
import { MIGRATIONS_DIR } from './adapters/migrate.js';
import { createPaymentsClient } from './adapters/payments-client.js';
import { sagaRepliesConsumer } from './adapters/replies-consumer.js';
import { ordersGrpcService } from './api/grpc.js';
import { cartRoutes } from './api/http/cart-routes.js';
import { orderRoutes } from './api/http/order-routes.js';
import { registerOrdersMetrics } from './api/metrics.js';
import type { OrdersDeps } from './app/deps.js';
import { SagaEngine } from './app/saga-engine.js';
import { handleStockReply } from './app/saga-replies.js';
import { type OrdersConfig, ordersConfigSchema } from './config.js';

export const ordersService = defineService({
  name: 'orders',
  description: 'Cart, checkout and orders',
  configSchema: ordersConfigSchema,
  async setup({ config, logger, metrics, postgres, onClose }) {
    const pool = await postgres({
      url: config.DATABASE_URL,
      migrationsDir: MIGRATIONS_DIR,
      max: config.SAGA_WORKERS + 10,
    });
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
    onClose(() => {
      catalog.close();
      payments.close();
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
    const sagas = engine;

    return {
      routes: [(routes) => cartRoutes(routes, deps), (routes) => orderRoutes(routes, deps)],
      grpc: [{ definition: OrdersServiceDefinition, implementation: ordersGrpcService(deps) }],
      consumers: [
        sagaRepliesConsumer({
          commandsExchange: config.COMMANDS_EXCHANGE,
          queue: config.REPLIES_QUEUE,
          pool,
          handle: (client, message) => handleStockReply(client, deps, message),
        }),
      ],
      outbox: { pool, pollIntervalMs: 500 },
      // Started once the service listens: resumes every unfinished saga.
      workers: [{ name: 'saga engine', start: () => sagas.start(), stop: () => sagas.stop() }],
      exposed: { deps, engine: sagas },
    };
  },
});

export function startOrdersService(config: OrdersConfig) {
  return bootService(ordersService, config);
}

export type OrdersService = Awaited<ReturnType<typeof startOrdersService>>;
