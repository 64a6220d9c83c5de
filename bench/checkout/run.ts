// Checkout end to end: confirmed orders per second and p50 / p99 from the checkout request to the
// order.completed event, with the database commits and broker messages each order costs — next to
// baselines measured in the same run on the same servers (a bare PostgreSQL insert, a bare RabbitMQ
// publish-with-confirm round trip, an HTTP request to the same orders process).
//
//   npm run infra -- up postgres rabbitmq ferretdb
//   node --import tsx --conditions shopstack-source bench/checkout/run.ts
//   BENCH_ORDERS=300 BENCH_CONCURRENCY=8 (optional)
//
// users, catalog, payments and orders run as processes (their main.ts), each on its own database.
// Figures only: nothing here asserts on timings.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createTestQueue } from '@shopstack/kit/testing';
import pg from 'pg';
import { createProduct, signUp, startShopProcesses, topUp } from '../../test/checkout/support/shop.js';
import { healthz, rabbitRoundTrip, rawInsert } from './baselines.js';
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { type Figures, printFigures, summarize } from '../support/timing.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 200);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);

const shop = await startShopProcesses();
try {
  console.log(`checkout benchmark: ${ORDERS} orders, ${CONCURRENCY} customers in parallel, 2 lines each`);
  const admin = await signUp(shop, 'admin');
  const products = [
    await createProduct(shop, admin, 1_999, 1_000_000),
    await createProduct(shop, admin, 250, 1_000_000),
  ];
  const customers = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const customer = await signUp(shop);
    await topUp(shop, customer, 1_000_000_000);
    customers.push(customer);
  }

  const confirmations = await createTestQueue(shop.names.events, 'order.completed');
  const waiting = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  const poll = setInterval(() => {
    for (const message of confirmations.messages.splice(0)) {
      const { orderId } = JSON.parse(message.content.toString());
      const now = performance.now();
      const resolve = waiting.get(orderId);
      if (resolve) resolve(now);
      else early.set(orderId, now);
    }
  }, 1);

  const before = await counters();
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  let lastConfirmed = started;
  await Promise.all(
    customers.map(async (customer) => {
      const orders = `${shop.orders.httpUrl}/api/orders`;
      while (issued < ORDERS) {
        issued++;
        for (const productId of products)
          await customer.call('POST', `${orders}/cart/lines`, { productId, quantity: 1 });
        const t0 = performance.now();
        const placed = await customer.call('POST', `${orders}/checkout`, undefined, {
          'idempotency-key': randomUUID(),
        });
        if (placed.status !== 202)
          throw new Error(`checkout: ${placed.status} ${JSON.stringify(placed.body)}`);
        const orderId = placed.body.orderId as string;
        const t1 =
          early.get(orderId) ?? (await new Promise<number>((resolve) => waiting.set(orderId, resolve)));
        latencies.push(t1 - t0);
        lastConfirmed = Math.max(lastConfirmed, t1);
      }
    }),
  );
  clearInterval(poll);
  await confirmations.close();
  const after = await counters();
  const checkout = summarize(latencies, (lastConfirmed - started) / 1000);

  const pgBaseline = await rawInsert(shop.ordersDb.url, ORDERS, CONCURRENCY);
  const rabbitBaseline = await rabbitRoundTrip(ORDERS, CONCURRENCY);
  const rabbitNagle = await rabbitRoundTrip(ORDERS, CONCURRENCY, true);
  const httpBaseline = await healthz(`${shop.orders.httpUrl}/healthz`, ORDERS, CONCURRENCY);

  const perOrder = (name: keyof typeof before) => ((after[name] - before[name]) / ORDERS).toFixed(1);
  const rows: [string, Figures][] = [
    ['checkout → order.completed', checkout],
    ['baseline: PostgreSQL insert + commit', pgBaseline],
    ['baseline: RabbitMQ publish → consume (confirms)', rabbitBaseline],
    ['  the same without TCP_NODELAY (Nagle)', rabbitNagle],
    ['baseline: HTTP GET /healthz (orders)', httpBaseline],
  ];
  printFigures('checkout and its baselines', rows);
  console.log('');
  console.log('per confirmed order:');
  console.log(
    `  PostgreSQL commits, orders database:  ${perOrder('ordersCommits')} (every transaction, also read-only polls)`,
  );
  console.log(
    `  PostgreSQL commits, catalog database: ${perOrder('catalogCommits')} (every transaction, also read-only polls)`,
  );
  console.log(`  broker messages published by orders:  ${perOrder('ordersMessages')} (outbox)`);
  console.log(`  broker messages published by catalog: ${perOrder('catalogMessages')} (outbox)`);
  console.log('  (cart writes and reads are included; payments runs on FerretDB and is not counted here)');
} finally {
  await shop.stop();
}

async function counters() {
  // Statistics reach pg_stat_database shortly after a transaction ends; let them settle.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const read = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const commits = await client.query<{ n: string }>(
        'select xact_commit as n from pg_stat_database where datname = current_database()',
      );
      const messages = await client.query<{ n: string }>('select count(*) as n from kit_outbox');
      return { commits: Number(commits.rows[0]!.n), messages: Number(messages.rows[0]!.n) };
    } finally {
      await client.end();
    }
  };
  const [orders, catalog] = await Promise.all([read(shop.ordersDb.url), read(shop.catalogDb.url)]);
  return {
    ordersCommits: orders.commits,
    catalogCommits: catalog.commits,
    ordersMessages: orders.messages,
    catalogMessages: catalog.messages,
  };
}
