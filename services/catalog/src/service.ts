// The catalog service's own parts: products, categories, stock, reviews and favourites over HTTP
// and gRPC, purchases recorded from order events, the checkout saga's stock commands. The kit boots
// it (see @shopstack/kit's boot.ts); main.ts runs it as a process, tests start it on port 0.
import { fileURLToPath } from 'node:url';
import { bootService, defineService, kitRetentionOf, kitRetentionRules, type Logger } from '@shopstack/kit';
import { CatalogServiceDefinition } from '@shopstack/proto/shop/catalog/v1/catalog';
import { orderEventsConsumer } from './adapters/order-events-consumer.js';
import { sagaStockCommandsConsumer } from './adapters/saga-stock-commands.js';
import { catalogGrpcCallers, catalogGrpcService } from './api/grpc/catalog-grpc.js';
import { addCategoryRoutes } from './api/http/category-routes.js';
import { addFavouriteRoutes } from './api/http/favourite-routes.js';
import { addProductRoutes } from './api/http/product-routes.js';
import { addReviewRoutes } from './api/http/review-routes.js';
import type { CatalogDeps } from './app/deps.js';
import { createCatalogMetrics } from './app/metrics.js';
import { type CatalogConfig, catalogConfigSchema } from './config.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export const catalogService = defineService({
  name: 'catalog',
  description: 'Products, categories, stock, reviews and favourites',
  configSchema: catalogConfigSchema,
  async setup({ config, logger, metrics, postgres }) {
    const pool = await postgres({ url: config.DATABASE_URL, migrationsDir, max: config.PG_POOL_SIZE });
    const deps: CatalogDeps = {
      pool,
      logger,
      metrics: createCatalogMetrics(metrics),
      eventsExchange: config.EVENTS_EXCHANGE,
    };
    const orderEvents = orderEventsConsumer({
      exchange: config.EVENTS_EXCHANGE,
      queue: config.ORDER_EVENTS_QUEUE,
      pool,
      logger,
      metrics: deps.metrics,
    });
    // The checkout saga's stock commands; replies are stored with the inbox row, published after the commit.
    const sagaCommands = sagaStockCommandsConsumer({
      exchange: config.COMMANDS_EXCHANGE,
      queue: config.SAGA_COMMANDS_QUEUE,
      pool,
      stockMetrics: deps.metrics,
    });
    return {
      routes: [
        (routes) => addProductRoutes(routes, deps),
        (routes) => addCategoryRoutes(routes, deps),
        (routes) => addReviewRoutes(routes, deps),
        (routes) => addFavouriteRoutes(routes, deps),
      ],
      grpc: [
        {
          definition: CatalogServiceDefinition,
          implementation: catalogGrpcService(deps),
          callers: catalogGrpcCallers,
        },
      ],
      consumers: config.SAGA_COMMANDS === 'on' ? [orderEvents, sagaCommands] : [orderEvents],
      outbox: { pool },
      // The kit's outbox and inbox, when the back office's nightly retention run asks.
      retention: { pool, rules: kitRetentionRules(kitRetentionOf(config)) },
      exposed: { deps },
    };
  },
});

export function startCatalogService(config: CatalogConfig, logger?: Logger) {
  return bootService(catalogService, config, { logger });
}

export type CatalogService = Awaited<ReturnType<typeof startCatalogService>>;
