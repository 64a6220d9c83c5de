// A small shop for the orders suites, all real: the catalog service and its saga consumer on their own
// PostgreSQL database, the payments service on its own FerretDB database, and the orders service on
// its own database, talking over RabbitMQ exchanges and queues named for this suite only.
import { randomUUID } from 'node:crypto';
import { type CatalogService, catalogConfigSchema, startCatalogService } from '@shopstack/catalog';
import { createPgPool, loadConfig, type Pool, type RunningConsumer } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteConsumerQueues,
  deleteExchange,
  randomSuffix,
  requireEnv,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testGrpcEnv,
} from '@shopstack/kit/testing';
import { type PaymentsService, paymentsConfigSchema, startPaymentsService } from '@shopstack/payments';
import { startSagaStockCommands } from '../../../catalog/src/adapters/saga-stock-commands.js';
import { fund as fundAccount } from '../../../payments/test/support/app.js';
import { ordersConfigSchema } from '../../src/config.js';
import { type OrdersService, startOrdersService } from '../../src/service.js';

export interface Shop {
  suffix: string;
  issuer: TestIssuer;
  catalog: CatalogService;
  catalogDb: TestDatabase;
  stockConsumer: RunningConsumer | undefined;
  payments: PaymentsService;
  ordersDb: TestDatabase;
  /** Undefined when the suite runs orders itself. */
  orders: OrdersService | undefined;
  /** A pool on the orders database, for looking at what the service stored. */
  ordersPool: Pool;
  ordersEnv: Record<string, string>;
  names: { events: string; commands: string; replies: string; stockQueue: string };
  /** Stops payments (an outage); startPayments brings it back on the same address. */
  stopPayments(): Promise<void>;
  startPayments(): Promise<void>;
  /** Starts the catalog's saga consumer (again, after stopStockConsumer). */
  startStockConsumer(): Promise<void>;
  stopStockConsumer(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `inProcessOrders: false` leaves orders to the test (e.g. as a process it kills); the env is ready.
 * `amqpUrl` puts the whole shop on another broker (a private one the test may restart).
 * `paymentEvents` lets payments' relay publish its events onto the shop's exchange (a suite that
 * consumes them); otherwise they stay in its outbox.
 */
export async function startShop(
  ordersOverrides: Record<string, string> = {},
  options: { inProcessOrders?: boolean; amqpUrl?: string; paymentEvents?: boolean } = {},
): Promise<Shop> {
  const suffix = randomSuffix();
  const amqpUrl = options.amqpUrl ?? requireEnv('AMQP_URL');
  const names = {
    events: `shop.events.${suffix}`,
    commands: `shop.commands.${suffix}`,
    replies: `orders.saga-replies.${suffix}`,
    stockQueue: `catalog.saga-commands.${suffix}`,
  };
  const issuer = await startTestIssuer();
  const common = {
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'error',
    JWKS_URL: issuer.jwksUrl,
  };

  const catalogDb = await createTestDatabase('orders_catalog');
  const catalog = await startCatalogService(
    loadConfig(catalogConfigSchema, {
      ...common,
      ...testGrpcEnv('catalog'),
      DATABASE_URL: catalogDb.url,
      AMQP_URL: amqpUrl,
      EVENTS_EXCHANGE: names.events,
      ORDER_EVENTS_QUEUE: `catalog.order-events.${suffix}`,
      COMMANDS_EXCHANGE: names.commands,
      // The suite starts and stops the catalog's saga consumer itself (startStockConsumer below).
      SAGA_COMMANDS: 'off',
    }),
  );

  // Payments restarted by a test (startPayments) comes back on its address with the same settings.
  const paymentsEnv = (grpcPort: string) =>
    loadConfig(paymentsConfigSchema, {
      ...common,
      ...testGrpcEnv('payments'),
      GRPC_PORT: grpcPort,
      MONGO_URL: requireEnv('MONGO_URL'),
      MONGO_DB: `orders_payments_${suffix}`,
      PAYMENT_PROVIDER: 'sandbox',
      SANDBOX_WEBHOOK_SECRET: 'sandbox-test-secret-0123456789',
      SANDBOX_DELAY_MS: '20',
      RECOVERY_INTERVAL_MS: '500',
      RECOVERY_GRACE_MS: '2000',
      RECONCILE_INTERVAL_MS: '600000',
      ...(options.paymentEvents ? { AMQP_URL: amqpUrl, EVENTS_EXCHANGE: names.events } : {}),
    });
  const payments = await startPaymentsService(paymentsEnv('0'));
  const paymentsPort = payments.grpcAddress!.split(':')[1]!;
  let paymentsRunning = true;

  const ordersDb = await createTestDatabase('orders_saga');
  const ordersEnv = {
    ...common,
    ...testGrpcEnv('orders'),
    DATABASE_URL: ordersDb.url,
    AMQP_URL: amqpUrl,
    CATALOG_GRPC_ADDRESS: catalog.grpcAddress!,
    PAYMENTS_GRPC_ADDRESS: payments.grpcAddress!,
    EVENTS_EXCHANGE: names.events,
    COMMANDS_EXCHANGE: names.commands,
    REPLIES_QUEUE: names.replies,
    SAGA_POLL_MS: '100',
    ...ordersOverrides,
  };
  const orders =
    options.inProcessOrders === false
      ? undefined
      : await startOrdersService(loadConfig(ordersConfigSchema, ordersEnv));
  const ordersPool = createPgPool(ordersDb.url, { max: 2 });

  const shop: Shop = {
    suffix,
    issuer,
    catalog,
    catalogDb,
    stockConsumer: undefined,
    payments,
    ordersDb,
    orders,
    ordersPool,
    ordersEnv,
    names,
    async stopPayments() {
      paymentsRunning = false;
      await shop.payments.close();
    },
    async startPayments() {
      shop.payments = await startPaymentsService(paymentsEnv(paymentsPort));
      paymentsRunning = true;
    },
    async startStockConsumer() {
      shop.stockConsumer = await startSagaStockCommands({
        amqpUrl,
        exchange: names.commands,
        queue: names.stockQueue,
        pool: catalog.deps.pool,
        logger: catalog.deps.logger,
      });
    },
    async stopStockConsumer() {
      await shop.stockConsumer?.close();
      shop.stockConsumer = undefined;
    },
    async close() {
      await shop.orders?.close();
      await ordersPool.end();
      await shop.stopStockConsumer();
      await catalog.close();
      if (paymentsRunning) await shop.payments.close();
      await issuer.close();
      await deleteConsumerQueues(
        [names.replies, names.stockQueue, `catalog.order-events.${suffix}`],
        amqpUrl,
      ).catch(() => {});
      await deleteExchange(names.events, amqpUrl).catch(() => {});
      await deleteExchange(names.commands, amqpUrl).catch(() => {});
      await ordersDb.drop();
      await catalogDb.drop();
      await dropMongo(`orders_payments_${suffix}`);
    },
  };
  await shop.startStockConsumer();
  return shop;
}

async function dropMongo(name: string) {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(requireEnv('MONGO_URL'));
  try {
    await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

/** A product straight into the catalog's table, with stock on hand. */
export async function addProduct(
  shop: Shop,
  input: { priceMinor: number; currency?: string; stock: number; name?: string },
) {
  const id = randomUUID();
  await shop.catalog.deps.pool.query(
    `insert into products (id, owner_id, name, price_minor, currency, stock_on_hand) values ($1, 'seller', $2, $3, $4, $5)`,
    [id, input.name ?? `product ${id.slice(0, 8)}`, input.priceMinor, input.currency ?? 'EUR', input.stock],
  );
  return id;
}

export async function stockOf(shop: Shop, productId: string) {
  const { rows } = await shop.catalog.deps.pool.query<{ on_hand: number; reserved: number }>(
    'select stock_on_hand as on_hand, stock_reserved as reserved from products where id = $1',
    [productId],
  );
  return rows[0]!;
}

/** Puts money on a user's account the way production does (payments' own test support). */
export function fund(shop: Shop, userId: string, amount: bigint, currency = 'EUR') {
  return fundAccount(shop.payments.app, userId, currency, amount);
}

export async function balanceOf(shop: Shop, userId: string, currency = 'EUR') {
  const view = await shop.payments.app.accounts.balanceByCurrency(userId, currency);
  return { balance: view?.balance ?? 0n, held: view?.held ?? 0n };
}

/** The holds payments recorded for an order, read from its database. */
export async function holdsOf(shop: Shop, orderId: string): Promise<{ status: string }[]> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(requireEnv('MONGO_URL'));
  try {
    return await client
      .db(`orders_payments_${shop.suffix}`)
      .collection<{ status: string }>('holds')
      .find({ orderId })
      .toArray();
  } finally {
    await client.close();
  }
}
