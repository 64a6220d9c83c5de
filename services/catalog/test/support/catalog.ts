// A catalog service under test: its own database, exchange and queue (random names), a test token
// issuer, free ports. `stop()` closes everything and drops what it created.
import { loadConfig } from '@shopstack/kit';
import {
  requestJson,
  type TestDatabase,
  type TestIssuer,
  testGrpcChannel,
  testGrpcEnv,
} from '@shopstack/kit/testing';
import { CatalogServiceDefinition } from '@shopstack/proto/shop/catalog/v1/catalog';
import { type Channel, createClient } from 'nice-grpc';
import { catalogConfigSchema } from '../../src/config.js';
import { type CatalogService, startCatalogService } from '../../src/service.js';
import { createCatalogTestEnv } from './env.js';

export interface TestCatalog {
  service: CatalogService;
  db: TestDatabase;
  issuer: TestIssuer;
  exchange: string;
  queue: string;
  commandsExchange: string;
  commandsQueue: string;
  /** Its gRPC API as orders calls it (the checkout's stock steps, lookups). */
  grpc: ReturnType<typeof createClient<typeof CatalogServiceDefinition>>;
  /** Its gRPC API as the back office calls it (stock corrections). */
  backOfficeGrpc: ReturnType<typeof createClient<typeof CatalogServiceDefinition>>;
  /** REST call against the service: path under the service root. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): ReturnType<typeof requestJson>;
  stop(): Promise<void>;
}

export async function startTestCatalog(): Promise<TestCatalog> {
  const names = await createCatalogTestEnv('catalog_test');
  const config = loadConfig(catalogConfigSchema, {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'silent',
    ...testGrpcEnv('catalog'),
    ...names.env,
  });
  const service = await startCatalogService(config);
  const channel: Channel = await testGrpcChannel(service.grpcAddress!, 'orders');
  const backOfficeChannel: Channel = await testGrpcChannel(service.grpcAddress!, 'backoffice');
  const { db, issuer, exchange, queue, commandsExchange, commandsQueue } = names;
  return {
    service,
    db,
    issuer,
    exchange,
    queue,
    commandsExchange,
    commandsQueue,
    grpc: createClient(CatalogServiceDefinition, channel),
    backOfficeGrpc: createClient(CatalogServiceDefinition, backOfficeChannel),
    call: (method, path, options = {}) => requestJson(service.httpUrl + path, { method, ...options }),
    async stop() {
      channel.close();
      backOfficeChannel.close();
      await service.close();
      await names.cleanup();
    },
  };
}
