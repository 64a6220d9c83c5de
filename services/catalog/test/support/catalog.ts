// A catalog service under test: its own database, exchange and queue (random names), a test token
// issuer, free ports. `stop()` closes everything and drops what it created.
import { loadConfig } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteExchange,
  randomSuffix,
  requestJson,
  requireEnv,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testExchangeName,
} from '@shopstack/kit/testing';
import { CatalogServiceDefinition } from '@shopstack/proto/shop/catalog/v1/catalog';
import { type Channel, createChannel, createClient } from 'nice-grpc';
import { catalogConfigSchema } from '../../src/config.js';
import { type CatalogService, startCatalogService } from '../../src/service.js';
import { deleteQueue } from './rabbit.js';

export interface TestCatalog {
  service: CatalogService;
  db: TestDatabase;
  issuer: TestIssuer;
  exchange: string;
  queue: string;
  commandsExchange: string;
  commandsQueue: string;
  grpc: ReturnType<typeof createClient<typeof CatalogServiceDefinition>>;
  /** REST call against the service: path under the service root. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): ReturnType<typeof requestJson>;
  stop(): Promise<void>;
}

export async function startTestCatalog(): Promise<TestCatalog> {
  const db = await createTestDatabase('catalog_test');
  const issuer = await startTestIssuer();
  const exchange = testExchangeName();
  const queue = `catalog.order-events.${randomSuffix()}`;
  const commandsExchange = testExchangeName('shop.commands');
  const commandsQueue = `catalog.saga-commands.${randomSuffix()}`;
  const config = loadConfig(catalogConfigSchema, {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    AMQP_URL: requireEnv('AMQP_URL'),
    EVENTS_EXCHANGE: exchange,
    ORDER_EVENTS_QUEUE: queue,
    COMMANDS_EXCHANGE: commandsExchange,
    SAGA_COMMANDS_QUEUE: commandsQueue,
    JWKS_URL: issuer.jwksUrl,
  });
  const service = await startCatalogService(config);
  const channel: Channel = createChannel(service.grpcAddress!);
  return {
    service,
    db,
    issuer,
    exchange,
    queue,
    commandsExchange,
    commandsQueue,
    grpc: createClient(CatalogServiceDefinition, channel),
    call: (method, path, options = {}) => requestJson(service.httpUrl + path, { method, ...options }),
    async stop() {
      channel.close();
      await service.close();
      await issuer.close();
      await deleteQueue(queue);
      await deleteQueue(`${queue}.dead`);
      await deleteQueue(commandsQueue);
      await deleteQueue(`${commandsQueue}.dead`);
      await deleteExchange(exchange);
      await deleteExchange(commandsExchange);
      await db.drop();
    },
  };
}
