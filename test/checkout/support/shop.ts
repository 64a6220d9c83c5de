// The whole checkout path as real processes: users, catalog, payments and orders, each on its own
// database, talking over exchanges and queues named for this run only.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { connectRabbit } from '@shopstack/kit';
import {
  createTestDatabase,
  deleteExchange,
  randomSuffix,
  requireEnv,
  type SpawnedService,
  serviceDir,
  spawnService,
  type TestDatabase,
  waitFor,
} from '@shopstack/kit/testing';
import { MongoClient } from 'mongodb';
import pg from 'pg';

export interface RunningShop {
  users: SpawnedService;
  catalog: SpawnedService;
  payments: SpawnedService;
  orders: SpawnedService;
  /** Present when started `withNotifications`. */
  notifications?: SpawnedService;
  /** Every orders process (the first is `orders`); more than one with `ordersProcesses`. */
  ordersReplicas: SpawnedService[];
  usersDb: TestDatabase;
  catalogDb: TestDatabase;
  ordersDb: TestDatabase;
  /** The notifications service's database (made either way; used when started `withNotifications`). */
  notificationsDb: TestDatabase;
  /** The MongoDB database payments keeps its ledger in. */
  paymentsDb: string;
  names: { events: string; commands: string };
  /** Stops payments (SIGTERM) and returns a function that starts it again on the same ports. */
  stopPayments(): Promise<() => Promise<void>>;
  /** A query on the catalog's database, to see what it stored. */
  catalogQuery(sql: string, params: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

/**
 * `ordersEnv` overrides the orders service's settings (e.g. short step timeouts). `withNotifications`
 * adds the notifications service, sending to the local Mailpit, with links to `publicUrl`. `env` is
 * given to every service (e.g. where to export traces). `ordersProcesses` runs that many orders
 * processes on the one orders database. `paymentsEnv` overrides the payments service's settings (e.g.
 * a fee schedule with cashback).
 */
export async function startShopProcesses(
  options: {
    ordersEnv?: Record<string, string>;
    paymentsEnv?: Record<string, string>;
    withNotifications?: { publicUrl: string };
    env?: Record<string, string>;
    ordersProcesses?: number;
  } = {},
): Promise<RunningShop> {
  const suffix = randomSuffix();
  const amqp = requireEnv('AMQP_URL');
  const events = `shop.events.${suffix}`;
  const commands = `shop.commands.${suffix}`;
  const queues = [
    `catalog.order-events.${suffix}`,
    `catalog.saga-commands.${suffix}`,
    `orders.saga-replies.${suffix}`,
    `notifications.events.${suffix}`,
  ];
  const mongoDb = `e2e_payments_${suffix}`;
  const [usersDb, catalogDb, ordersDb, notificationsDb] = await Promise.all([
    createTestDatabase('e2e_users'),
    createTestDatabase('e2e_catalog'),
    createTestDatabase('e2e_orders'),
    createTestDatabase('e2e_notifications'),
  ]);
  const started: SpawnedService[] = [];
  const startServiceProcess = (name: string, env: Record<string, string>) =>
    spawnService(serviceDir(name), { ...options.env, ...env });
  try {
    const users = await startServiceProcess('users', {
      DATABASE_URL: usersDb.url,
      AMQP_URL: amqp,
      EVENTS_EXCHANGE: events,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      API_KEY_PEPPER: randomBytes(32).toString('hex'),
    });
    started.push(users);
    const jwks = `${users.httpUrl}/.well-known/jwks.json`;
    const paymentsEnv = (): Record<string, string> => ({
      MONGO_URL: requireEnv('MONGO_URL'),
      MONGO_DB: mongoDb,
      JWKS_URL: jwks,
      PAYMENT_PROVIDER: 'sandbox',
      SANDBOX_WEBHOOK_SECRET: 'sandbox-e2e-secret-0123456789',
      SANDBOX_DELAY_MS: '20',
      // Its money events go to the shop's exchange, where notifications (when running) mails them.
      AMQP_URL: amqp,
      EVENTS_EXCHANGE: events,
      ...options.paymentsEnv,
    });
    const [catalog, payments] = await Promise.all([
      startServiceProcess('catalog', {
        DATABASE_URL: catalogDb.url,
        AMQP_URL: amqp,
        JWKS_URL: jwks,
        EVENTS_EXCHANGE: events,
        COMMANDS_EXCHANGE: commands,
        ORDER_EVENTS_QUEUE: queues[0]!,
        SAGA_COMMANDS_QUEUE: queues[1]!,
      }),
      startServiceProcess('payments', paymentsEnv()),
    ]);
    started.push(catalog, payments);
    const ordersReplicas: SpawnedService[] = [];
    for (let i = 0; i < (options.ordersProcesses ?? 1); i++) {
      const replica = await startServiceProcess('orders', {
        DATABASE_URL: ordersDb.url,
        AMQP_URL: amqp,
        JWKS_URL: jwks,
        CATALOG_GRPC_ADDRESS: catalog.grpcAddress!,
        PAYMENTS_GRPC_ADDRESS: payments.grpcAddress!,
        EVENTS_EXCHANGE: events,
        COMMANDS_EXCHANGE: commands,
        REPLIES_QUEUE: queues[2]!,
        ...options.ordersEnv,
      });
      started.push(replica);
      ordersReplicas.push(replica);
    }
    const orders = ordersReplicas[0]!;
    const notifications = options.withNotifications
      ? await startServiceProcess('notifications', {
          DATABASE_URL: notificationsDb.url,
          AMQP_URL: amqp,
          JWKS_URL: jwks,
          USERS_GRPC_ADDRESS: users.grpcAddress!,
          EVENTS_EXCHANGE: events,
          EVENTS_QUEUE: queues[3]!,
          PUBLIC_URL: options.withNotifications.publicUrl,
          SMTP_URL: requireEnv('SMTP_URL'),
          SMTP_REQUIRE_TLS: 'false',
          SANDBOX_PROVIDERS: 'true',
          // As on the local platform: webhook receivers on this machine, over plain http.
          WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
          WEBHOOK_ALLOW_PLAIN_HTTP: 'true',
          UNSUBSCRIBE_SECRET: `e2e-unsubscribe-${randomUUID()}`,
          WEBHOOK_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        })
      : undefined;
    if (notifications) started.push(notifications);
    const shop: RunningShop = {
      users,
      catalog,
      payments,
      orders,
      ordersReplicas,
      ...(notifications ? { notifications } : {}),
      usersDb,
      catalogDb,
      ordersDb,
      notificationsDb,
      paymentsDb: mongoDb,
      names: { events, commands },
      async stopPayments() {
        const stopped = shop.payments;
        await stopped.stop();
        return async () => {
          shop.payments = await startServiceProcess('payments', {
            ...paymentsEnv(),
            HTTP_PORT: new URL(stopped.httpUrl).port,
            GRPC_PORT: stopped.grpcAddress!.split(':')[1]!,
          });
          started.push(shop.payments);
        };
      },
      async catalogQuery(sql, params) {
        const client = new pg.Client({ connectionString: catalogDb.url });
        await client.connect();
        try {
          return await client.query(sql, params);
        } finally {
          await client.end();
        }
      },
      async stop() {
        await Promise.all(started.map((service) => service.stop()));
        await cleanUp();
      },
    };
    return shop;
  } catch (error) {
    await Promise.all(started.map((service) => service.stop()));
    await cleanUp();
    throw error;
  }

  async function cleanUp() {
    const connection = await connectRabbit(amqp, 'e2e-cleanup');
    const channel = await connection.createChannel();
    for (const queue of queues.flatMap((q) => [q, `${q}.dead`]))
      await channel.deleteQueue(queue).catch(() => {});
    await connection.close().catch(() => {});
    await deleteExchange(events).catch(() => {});
    await deleteExchange(commands).catch(() => {});
    const mongo = new MongoClient(requireEnv('MONGO_URL'));
    await mongo
      .db(mongoDb)
      .dropDatabase()
      .catch(() => {});
    await mongo.close();
    await Promise.all([usersDb.drop(), catalogDb.drop(), ordersDb.drop(), notificationsDb.drop()]);
  }
}

export interface Session {
  userId: string;
  token: string;
  call(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in tests
  ): Promise<{ status: number; body: any }>;
}

async function request(
  method: string,
  url: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Registers and signs in; `role` other than customer is granted the way a first admin is: in the database. */
export async function signUp(shop: RunningShop, role?: 'admin'): Promise<Session> {
  const email = `${randomUUID()}@example.com`;
  const password = 'correct horse battery staple 42';
  const registered = await request('POST', `${shop.users.httpUrl}/api/users/register`, undefined, {
    email,
    password,
  });
  if (registered.status !== 201)
    throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  if (role) {
    const db = new pg.Client({ connectionString: shop.usersDb.url });
    await db.connect();
    await db.query('update users set role = $1 where id = $2', [role, registered.body.id]);
    await db.end();
  }
  const login = await request('POST', `${shop.users.httpUrl}/api/users/login`, undefined, {
    email,
    password,
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.accessToken as string;
  return {
    userId: registered.body.id,
    token,
    call: (method, url, body, headers) => request(method, url, token, body, headers),
  };
}

/** Tops up through the payments API and waits until the sandbox provider's confirmation credited it. */
export async function topUp(shop: RunningShop, session: Session, amount: number, currency = 'EUR') {
  const response = await session.call(
    'POST',
    `${shop.payments.httpUrl}/api/payments/topups`,
    { currency, amount, source: 'tok_ok' },
    { 'idempotency-key': randomUUID() },
  );
  if (response.status !== 202) throw new Error(`top-up: ${response.status} ${JSON.stringify(response.body)}`);
  await waitFor(async () => (await balance(shop, session, currency)).balance === String(amount), {
    timeoutMs: 30_000,
    what: 'top-up credited',
  });
}

export async function balance(shop: RunningShop, session: Session, currency = 'EUR') {
  const { body } = await session.call('GET', `${shop.payments.httpUrl}/api/payments/accounts`);
  const account = body?.accounts?.find((a: { currency: string }) => a.currency === currency);
  return {
    id: account?.id as string | undefined,
    balance: account?.balance ?? '0',
    held: account?.held ?? '0',
  };
}

export async function createProduct(
  shop: RunningShop,
  admin: Session,
  priceMinor: number,
  stockOnHand: number,
) {
  const response = await admin.call('POST', `${shop.catalog.httpUrl}/api/catalog/products`, {
    name: `Product ${randomSuffix()}`,
    priceMinor,
    currency: 'EUR',
    stockOnHand,
  });
  if (response.status !== 201)
    throw new Error(`create product: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

export async function stock(shop: RunningShop, productId: string) {
  const response = await fetch(`${shop.catalog.httpUrl}/api/catalog/products/${productId}`);
  const product = (await response.json()) as {
    stock: { onHand: number; reserved: number; available: number };
  };
  return product.stock;
}

/** Where a back office run beside this shop finds it: the events exchange, the tokens' keys, its peers. */
export function backofficePeersEnv(shop: RunningShop): Record<string, string> {
  return {
    EVENTS_EXCHANGE: shop.names.events,
    JWKS_URL: `${shop.users.httpUrl}/.well-known/jwks.json`,
    USERS_GRPC_ADDRESS: shop.users.grpcAddress!,
    CATALOG_GRPC_ADDRESS: shop.catalog.grpcAddress!,
    ORDERS_GRPC_ADDRESS: shop.orders.grpcAddress!,
    PAYMENTS_GRPC_ADDRESS: shop.payments.grpcAddress!,
    NOTIFICATIONS_GRPC_ADDRESS: shop.notifications!.grpcAddress!,
  };
}

/** Fills the cart line by line and checks out (202): the new order's id. */
export async function placeOrder(
  shop: RunningShop,
  customer: Session,
  lines: [productId: string, quantity: number][],
) {
  for (const [productId, quantity] of lines) {
    const added = await customer.call('POST', `${shop.orders.httpUrl}/api/orders/cart/lines`, {
      productId,
      quantity,
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  }
  const placed = await customer.call('POST', `${shop.orders.httpUrl}/api/orders/checkout`, undefined, {
    'idempotency-key': randomUUID(),
  });
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  return placed.body.orderId as string;
}

export async function settled(shop: RunningShop, session: Session, orderId: string) {
  return waitFor(
    async () => {
      const { body } = await session.call('GET', `${shop.orders.httpUrl}/api/orders/${orderId}`);
      const done =
        (body?.status === 'confirmed' && body.progress.stockCommitted) || body?.status === 'cancelled';
      return done ? body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `order ${orderId} to settle` },
  );
}
