// Checkout end to end: confirmed orders per second and p50 / p99 from the checkout request to the
// order.completed event, at full load (every customer checking out in a loop) and at half load (orders
// arriving at half the full-load rate), with one and with two orders processes; the database commits
// and broker messages each order costs; and, measured in the same run on the same servers, the floor
// (floor.ts: the minimum database and broker work of one order, with no services in between) and
// the bare baselines (a PostgreSQL insert, a RabbitMQ publish-with-confirm round trip, an HTTP request
// to the same orders process).
//
//   npm run infra -- up postgres rabbitmq ferretdb
//   node --import tsx --conditions shopstack-source bench/checkout/run.ts
//   BENCH_ORDERS=300 BENCH_CONCURRENCY=8   # optional
//
// users, catalog, payments and orders run as processes (their main.ts), each on its own database.
// Figures only: nothing here asserts on timings.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createTestQueue } from '@shopstack/kit/testing';
import pg from 'pg';
import { type RunningShop, type Session, startShopProcesses } from '../../test/checkout/support/shop.js';
import { healthz, rabbitRoundTrip, rawInsert } from './baselines.js';
import { productsAndCustomers } from './customers.js';
import { checkoutFloor } from './floor.js';
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { type CpuUse, cpuBetween, cpuSnapshot } from '../support/cpu.js';
import { type Figures, formatRow, printFigures, summarize } from '../support/timing.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 200);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);

interface Phase {
  figures: Figures;
  perOrder: {
    ordersCommits: number;
    catalogCommits: number;
    ferretCommits: number;
    ordersWrites: number;
    catalogWrites: number;
  };
  messages: { orders: number; catalog: number };
  /** Orders the saga cancelled (left out of the figures). */
  cancelled: number;
  /** Where the phase's CPU went, and how busy the machine was. */
  cpu: CpuUse;
}

console.log(`checkout benchmark: ${ORDERS} orders, ${CONCURRENCY} customers in parallel, 2 lines each`);
const one = await withShop(1, async (shop, run) => {
  const full = await run('full', ORDERS);
  const half = await run('half', Math.ceil(ORDERS / 2), full.figures.perSecond / 2);
  const floor = await checkoutFloor({
    ordersDbUrl: shop.ordersDb.url,
    catalogDbUrl: shop.catalogDb.url,
    count: ORDERS,
    concurrency: CONCURRENCY,
  });
  const baselines = {
    pg: await rawInsert(shop.ordersDb.url, ORDERS, CONCURRENCY),
    rabbit: await rabbitRoundTrip(ORDERS, CONCURRENCY),
    http: await healthz(`${shop.orders.httpUrl}/healthz`, ORDERS, CONCURRENCY),
  };
  return { full, half, floor, baselines };
});
const two = await withShop(2, async (_shop, run) => {
  const full = await run('full', ORDERS);
  return { full, half: await run('half', Math.ceil(ORDERS / 2), full.figures.perSecond / 2) };
});

const ratio = (figures: Figures) => `${(figures.perSecond / one.floor.perSecond).toFixed(2)}× floor`;
printFigures('checkout, its floor and baselines', [
  ['checkout → order.completed, full load', one.full.figures, ratio(one.full.figures)],
  ['  at half load (half that rate offered)', one.half.figures],
  ['  two orders processes, full load', two.full.figures, ratio(two.full.figures)],
  ['  two orders processes, half load', two.half.figures],
  ['floor: the minimum work of one order, no services', one.floor],
  ['baseline: PostgreSQL insert + commit', one.baselines.pg],
  ['baseline: RabbitMQ publish → consume (confirms)', one.baselines.rabbit],
  ['baseline: HTTP GET /healthz (orders)', one.baselines.http],
]);
console.log('');
console.log('per confirmed order (full load)             one process   two processes');
const row = (name: string, pick: (phase: Phase) => number) =>
  console.log(formatRow(name, pick(one.full).toFixed(1), pick(two.full).toFixed(1)));
row('PostgreSQL commits, orders db, all', (p) => p.perOrder.ordersCommits);
row('PostgreSQL commits, catalog db, all', (p) => p.perOrder.catalogCommits);
row('PostgreSQL commits behind FerretDB (payments)', (p) => p.perOrder.ferretCommits);
row('  write transactions, orders (see below)', (p) => p.perOrder.ordersWrites);
row('  write transactions, catalog (see below)', (p) => p.perOrder.catalogWrites);
row('  write transactions, both databases', (p) => p.perOrder.ordersWrites + p.perOrder.catalogWrites);
console.log(
  formatRow(
    '  the same at half load',
    ...[one.half, two.half].map((p) => (p.perOrder.ordersWrites + p.perOrder.catalogWrites).toFixed(1)),
  ),
);
row('broker messages published by orders', (p) => p.messages.orders);
row('broker messages published by catalog (outbox + replies)', (p) => p.messages.catalog);
console.log('');
console.log('CPU per confirmed order, full load (ms)     one process   two processes');
const cpuMs = (p: Phase, program?: string) => {
  const seconds = program
    ? (p.cpu.byProgram.find(([name]) => name === program)?.[1] ?? 0)
    : p.cpu.byProgram.reduce((sum, [, s]) => sum + s, 0);
  return ((seconds * 1000) / (p.figures.operations + p.cancelled)).toFixed(1);
};
console.log(formatRow('every process on the machine', cpuMs(one.full), cpuMs(two.full)));
for (const [program] of one.full.cpu.byProgram.slice(0, 8))
  console.log(formatRow(`  ${program}`, cpuMs(one.full, program), cpuMs(two.full, program)));
console.log(
  formatRow(
    `machine busy (share of its ${one.full.cpu.cores} cores)`,
    ...[one.full, two.full].map((p) => `${(p.cpu.machineBusy * 100).toFixed(0)} %`),
  ),
);
console.log(
  '  (the two cart writes of each order included; a machine near 100 % busy is bound by its cores)',
);
console.log(
  `  "all" is pg_stat_database.xact_commit, which also counts read-only transactions (polls, reads).
  "write transactions" counts the checkout's and the saga's, each once: transactions that appended
  order events, (catalog) handled commands and events, and relay writes that marked the outbox;
  not the two cart writes per order, nor saga bookkeeping that appends no event (lease claims,
  retries, releases). bench/checkout/transactions.ts lists every transaction by its statements.
  Payments runs on FerretDB and is not counted here.`,
);

/** Starts the shop with `processes` orders processes, customers and products; runs `body`. */
async function withShop<T>(
  processes: number,
  body: (
    shop: RunningShop,
    run: (label: string, count: number, ratePerSecond?: number) => Promise<Phase>,
  ) => Promise<T>,
): Promise<T> {
  const shop = await startShopProcesses({ ordersProcesses: processes });
  try {
    const { products, customers } = await productsAndCustomers(shop, CONCURRENCY);
    // order.cancelled too: an order the saga cancels (a timeout on a loaded machine) ends the wait.
    const confirmations = await createTestQueue(shop.names.events, 'order.*');
    try {
      return await body(shop, (label, count, rate) =>
        phase(shop, customers, products, confirmations, count, rate).then((result) => {
          console.log(
            `  ${processes} orders process(es), ${label}: ${result.figures.perSecond.toFixed(1)}/s` +
              (result.cancelled > 0 ? `, ${result.cancelled} cancelled (not in the figures)` : ''),
          );
          return result;
        }),
      );
    } finally {
      await confirmations.close();
    }
  } finally {
    await shop.stop();
  }
}

/**
 * `count` checkouts, each from filling a two-line cart to order.completed. Without a rate every
 * customer checks out in a loop (full load); with one, orders start at that rate (each on a free
 * customer) and latency is measured from the checkout request.
 */
async function phase(
  shop: RunningShop,
  customers: Session[],
  products: string[],
  confirmations: Awaited<ReturnType<typeof createTestQueue>>,
  count: number,
  ratePerSecond?: number,
): Promise<Phase> {
  type End = { at: number; completed: boolean };
  const waiting = new Map<string, (end: End) => void>();
  const early = new Map<string, End>();
  let cancelled = 0;
  const poll = setInterval(() => {
    for (const message of confirmations.messages.splice(0)) {
      const key = message.fields.routingKey;
      if (key !== 'order.completed' && key !== 'order.cancelled') continue;
      const { orderId } = JSON.parse(message.content.toString());
      const end = { at: performance.now(), completed: key === 'order.completed' };
      const resolve = waiting.get(orderId);
      if (resolve) resolve(end);
      else early.set(orderId, end);
    }
  }, 1);
  const before = await counters(shop);
  const latencies: number[] = [];
  let issued = 0;
  const cpuBefore = await cpuSnapshot();
  const started = performance.now();
  let lastConfirmed = started;
  const order = async (customer: Session, index: number) => {
    const orders = shop.ordersReplicas[index % shop.ordersReplicas.length]!;
    const base = `${orders.httpUrl}/api/orders`;
    for (const productId of products)
      await customer.call('POST', `${base}/cart/lines`, { productId, quantity: 1 });
    const t0 = performance.now();
    const placed = await customer.call('POST', `${base}/checkout`, undefined, {
      'idempotency-key': randomUUID(),
    });
    if (placed.status !== 202) throw new Error(`checkout: ${placed.status} ${JSON.stringify(placed.body)}`);
    const orderId = placed.body.orderId as string;
    const end = early.get(orderId) ?? (await new Promise<End>((resolve) => waiting.set(orderId, resolve)));
    if (!end.completed) cancelled++;
    else latencies.push(end.at - t0);
    lastConfirmed = Math.max(lastConfirmed, end.at);
  };
  if (ratePerSecond === undefined) {
    await Promise.all(
      customers.map(async (customer, i) => {
        while (issued < count) {
          issued++;
          await order(customer, i);
        }
      }),
    );
  } else {
    const free = customers.map((customer, i) => ({ customer, i }));
    const inFlight: Promise<void>[] = [];
    const intervalMs = 1000 / ratePerSecond;
    for (; issued < count; issued++) {
      const due = started + issued * intervalMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      while (free.length === 0) await Promise.race(inFlight);
      const slot = free.shift()!;
      const work: Promise<void> = order(slot.customer, slot.i).finally(() => {
        free.push(slot);
        inFlight.splice(inFlight.indexOf(work), 1);
      });
      inFlight.push(work);
    }
    await Promise.all(inFlight);
  }
  clearInterval(poll);
  const cpu = cpuBetween(cpuBefore, await cpuSnapshot());
  const seconds = (lastConfirmed - started) / 1000;
  const after = await counters(shop);
  const per = (value: number) => value / count;
  return {
    figures: summarize(latencies, seconds),
    perOrder: {
      ordersCommits: per(after.ordersCommits - before.ordersCommits),
      catalogCommits: per(after.catalogCommits - before.catalogCommits),
      ferretCommits: per(after.ferretCommits - before.ferretCommits),
      ordersWrites: per(after.ordersWrites - before.ordersWrites),
      catalogWrites: per(after.catalogWrites - before.catalogWrites),
    },
    messages: {
      orders: per(after.ordersMessages - before.ordersMessages),
      catalog: per(after.catalogMessages - before.catalogMessages),
    },
    cancelled,
    cpu,
  };
}

async function counters(shop: RunningShop) {
  // Statistics reach pg_stat_database shortly after a transaction ends; let them settle.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const read = async (url: string, events: boolean) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const commits = await client.query<{ n: string }>(
        'select xact_commit as n from pg_stat_database where datname = current_database()',
      );
      // Through the outbox, and replies sent straight after their command's commit (stored with the
      // command's inbox row: the catalog's answers to saga commands).
      const messages = await client.query<{ n: string }>(
        'select (select count(*) from kit_outbox) + (select count(*) from kit_inbox where reply is not null) as n',
      );
      // Write transactions, counted from what they left behind: a row's xmin names the transaction
      // that last wrote it. order_events rows are never updated, so theirs name the transactions that
      // appended them (the checkout, each reply and each recorded outcome); in the catalog each
      // handled stock command leaves one inbox row, and a purchase row names the transaction that
      // recorded it (the commit that named the buyer, or an order.completed that found it unknown,
      // which keeps no inbox row); an outbox row's xmin names the transaction
      // that marked it published (a relay's own write, or one that carried the mark with its own
      // work) or, unmarked, the one that stored it. Distinct over the union, so a transaction that did
      // several of these counts once.
      const writes = await client.query<{ n: string }>(
        `select count(distinct tx) as n from (
           select xmin::text as tx from kit_outbox
           union all ${events ? 'select xmin::text from order_events' : 'select xmin::text from kit_inbox union all select xmin::text from purchases'}) written`,
      );
      return {
        commits: Number(commits.rows[0]!.n),
        messages: Number(messages.rows[0]!.n),
        writes: Number(writes.rows[0]!.n),
      };
    } finally {
      await client.end();
    }
  };
  // FerretDB keeps every MongoDB database in this one PostgreSQL database, and runs each command in
  // transactions of its own: its commits count payments' commands (nothing else here uses FerretDB).
  // pg_stat_database lists every database of the server, so the orders database's connection reads it.
  const ferretCommits = async () => {
    const client = new pg.Client({ connectionString: shop.ordersDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "select xact_commit as n from pg_stat_database where datname = 'ferretdb'",
      );
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  };
  const at = performance.now();
  const [orders, catalog, ferret] = await Promise.all([
    read(shop.ordersDb.url, true),
    read(shop.catalogDb.url, false),
    ferretCommits(),
  ]);
  return {
    at,
    ordersCommits: orders.commits,
    catalogCommits: catalog.commits,
    ferretCommits: ferret,
    ordersMessages: orders.messages,
    catalogMessages: catalog.messages,
    ordersWrites: orders.writes,
    catalogWrites: catalog.writes,
  };
}
