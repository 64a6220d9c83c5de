// Catalog stock throughput: reserve + commit per second through the application layer (order lock,
// product row locks, reservation rows), on one hot product and spread over many, next to a baseline
// measured in the same run: a bare conditional UPDATE of one stock row with the same concurrency.
//
//   node --import tsx --conditions shopstack-source bench/catalog/reservations.ts
//   BENCH_ORDERS=2000 BENCH_CONCURRENCY=16 BENCH_PRODUCTS=100 BENCH_LINES=3 ... (all optional)
//
// Needs PG_URL (read from .infra/env when unset). Uses its own database and drops it afterwards.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger, createPgPool, runMigrations } from '@shopstack/kit';
import { createTestDatabase } from '@shopstack/kit/testing';
import type { CatalogDeps } from '../../services/catalog/src/app/deps.js';
import { noMetrics } from '../../services/catalog/src/app/metrics.js';
import { commitStock, reserveStock } from '../../services/catalog/src/app/stock.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 1_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const PRODUCTS = env('BENCH_PRODUCTS', 100);
const LINES = env('BENCH_LINES', 3);

function pgUrl(): string {
  if (process.env.PG_URL) return process.env.PG_URL;
  const file = new URL('../../.infra/env', import.meta.url);
  const line = existsSync(file) ? readFileSync(file, 'utf8').match(/^PG_URL=(.*)$/m) : null;
  if (!line?.[1]) throw new Error('PG_URL is not set: run `npm run infra -- up postgres`');
  return line[1];
}

async function timed(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  return { perSecond: Math.round(count / seconds), p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const db = await createTestDatabase('bench_catalog', pgUrl());
const logger = createLogger({ service: 'catalog-bench', level: 'warn' });
const pool = createPgPool(db.url, { max: CONCURRENCY + 2 });
try {
  await runMigrations({
    databaseUrl: db.url,
    dir: fileURLToPath(new URL('../../services/catalog/migrations', import.meta.url)),
  });
  const deps: CatalogDeps = { pool, logger, metrics: noMetrics };
  const ids = Array.from({ length: PRODUCTS + 1 }, () => randomUUID());
  await pool.query(
    `insert into products (id, owner_id, name, price_minor, currency, stock_on_hand)
     select id, 'bench', 'Bench product', 1000, 'EUR', 100000000 from unnest($1::uuid[]) as t(id)`,
    [ids],
  );
  const [hot, ...spread] = ids as [string, ...string[]];

  const hotRun = await timed(ORDERS, CONCURRENCY, async () => {
    const orderId = randomUUID();
    await reserveStock(deps, orderId, [{ productId: hot, quantity: 1 }]);
    await commitStock(deps, orderId);
  });
  const spreadRun = await timed(ORDERS, CONCURRENCY, async (i) => {
    const orderId = randomUUID();
    const lines = Array.from({ length: LINES }, (_, k) => ({
      productId: spread[(i * LINES + k) % spread.length]!,
      quantity: 1,
    }));
    await reserveStock(deps, orderId, lines);
    await commitStock(deps, orderId);
  });
  const baseline = await timed(ORDERS, CONCURRENCY, async () => {
    await pool.query(
      'update products set stock_reserved = stock_reserved + 1 where id = $1 and stock_on_hand - stock_reserved >= 1',
      [hot],
    );
  });

  const { rows } = await pool.query<{ on_hand: string; reserved: string }>(
    'select sum(stock_on_hand)::text as on_hand, sum(stock_reserved)::text as reserved from products where id <> $1',
    [hot],
  );
  console.log(`catalog reservations: ${ORDERS} orders, concurrency ${CONCURRENCY}, pool ${CONCURRENCY + 2}`);
  console.table({
    'reserve+commit, one hot product': hotRun,
    [`reserve+commit, ${LINES} lines over ${PRODUCTS} products`]: spreadRun,
    'baseline: bare conditional UPDATE of the hot row': baseline,
  });
  console.log(
    `spread products after the run: on hand ${rows[0]?.on_hand}, reserved ${rows[0]?.reserved} (expected reserved 0)`,
  );
} finally {
  await pool.end();
  await db.drop();
}
