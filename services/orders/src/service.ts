// The orders service's own parts: the catalog and payments clients, the saga replies consumer, the
// saga engine, the HTTP API and the read-only gRPC API. The kit boots it (see @shopstack/kit's
// boot.ts); main.ts runs it as a process, tests start it in-process on port 0.
import { bootService, defineService } from '@shopstack/kit';
import { OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { createCatalogClient } from './adapters/catalog-client.js';
import { MIGRATIONS_DIR } from './adapters/migrate.js';
import { createPaymentsClient } from './adapters/payments-client.js';
import { sagaRepliesConsumer } from './adapters/replies-consumer.js';
import { ordersRetentionRules } from './adapters/retention-rules.js';
import { ordersGrpcCallers, ordersGrpcService } from './api/grpc.js';
import { cartRoutes } from './api/http/cart-routes.js';
import { orderRoutes } from './api/http/order-routes.js';
import { checkoutSaga } from './app/checkout-saga.js';
import type { OrdersDeps } from './app/deps.js';
import { registerOrdersMetrics } from './app/metrics.js';
import { SagaEngine } from './app/saga-engine.js';
import { handleStockReply } from './app/saga-replies.js';
import { type OrdersConfig, ordersConfigSchema } from './config.js';

export const ordersService = defineService({
  name: 'orders',
  description: 'Cart, checkout and orders',
  configSchema: ordersConfigSchema,
  async setup({ config, logger, metrics, postgres, onClose, grpcTransport }) {
    const pool = await postgres({
      url: config.DATABASE_URL,
      migrationsDir: MIGRATIONS_DIR,
      // Workers hold no connection across a call: a few for outcome transactions, one to listen.
      max: Math.min(config.SAGA_WORKERS, 10) + 10,
    });
    const clientOptions = {
      metrics,
      transport: grpcTransport(),
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
    const stockRoute = { exchange: config.COMMANDS_EXCHANGE, replyTo: config.REPLIES_QUEUE };
    const timeouts = {
      reserveStockMs: config.RESERVE_STOCK_TIMEOUT_MS,
      holdFundsMs: config.HOLD_FUNDS_TIMEOUT_MS,
      commitStockResendMs: config.COMMIT_STOCK_RESEND_MS,
    };
    const deps: OrdersDeps = {
      pool,
      logger,
      catalog,
      payments,
      stockRoute,
      eventsExchange: config.EVENTS_EXCHANGE,
      timeouts,
      engine: () => sagas,
    };
    const { stepsRun } = registerOrdersMetrics(metrics, pool);
    // The ports are read at each call, so a test may put a real service back behind deps.payments.
    const ports = {
      get payments() {
        return deps.payments;
      },
      stockRoute,
      eventsExchange: config.EVENTS_EXCHANGE,
    };
    const sagas = new SagaEngine({
      pool,
      logger,
      definition: checkoutSaga(ports),
      ports,
      settings: timeouts,
      workers: config.SAGA_WORKERS,
      leaseMs: Math.max(config.SAGA_LEASE_MS, config.GRPC_DEADLINE_MS + 1_000),
      pollMs: config.SAGA_POLL_MS,
      stepsRun,
    });

    return {
      routes: [(routes) => cartRoutes(routes, deps), (routes) => orderRoutes(routes, deps)],
      grpc: [
        {
          definition: OrdersServiceDefinition,
          implementation: ordersGrpcService(deps),
          callers: ordersGrpcCallers,
        },
      ],
      consumers: [
        sagaRepliesConsumer({
          commandsExchange: config.COMMANDS_EXCHANGE,
          queue: config.REPLIES_QUEUE,
          pool,
          handle: (client, message) => handleStockReply(client, deps, message),
        }),
      ],
      outbox: { pool, pollIntervalMs: 500 },
      retention: { pool, rules: ordersRetentionRules(config) },
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
