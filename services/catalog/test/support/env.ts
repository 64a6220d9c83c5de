// What every catalog under test gets, in-process or as a process: its own database, events and
// commands exchanges and queues (random names), a test token issuer; `cleanup()` removes them all.
import {
  createTestDatabase,
  deleteConsumerQueues,
  deleteExchange,
  randomSuffix,
  requireEnv,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testExchangeName,
} from '@shopstack/kit/testing';

export interface CatalogTestEnv {
  db: TestDatabase;
  issuer: TestIssuer;
  exchange: string;
  queue: string;
  commandsExchange: string;
  commandsQueue: string;
  /** The catalog's variables for all of the above. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createCatalogTestEnv(dbPrefix: string): Promise<CatalogTestEnv> {
  const db = await createTestDatabase(dbPrefix);
  const issuer = await startTestIssuer();
  const exchange = testExchangeName();
  const queue = `catalog.order-events.${randomSuffix()}`;
  const commandsExchange = testExchangeName('shop.commands');
  const commandsQueue = `catalog.saga-commands.${randomSuffix()}`;
  return {
    db,
    issuer,
    exchange,
    queue,
    commandsExchange,
    commandsQueue,
    env: {
      DATABASE_URL: db.url,
      AMQP_URL: requireEnv('AMQP_URL'),
      EVENTS_EXCHANGE: exchange,
      ORDER_EVENTS_QUEUE: queue,
      COMMANDS_EXCHANGE: commandsExchange,
      SAGA_COMMANDS_QUEUE: commandsQueue,
      JWKS_URL: issuer.jwksUrl,
    },
    async cleanup() {
      await issuer.close();
      await deleteConsumerQueues([queue, commandsQueue]);
      await deleteExchange(exchange);
      await deleteExchange(commandsExchange);
      await db.drop();
    },
  };
}
