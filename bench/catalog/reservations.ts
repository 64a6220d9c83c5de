// Catalog stock throughput: reserve + commit per second through the application layer (order lock,
// product row locks, reservation rows), on one hot product and spread over many, next to a baseline
// measured in the same run: a bare conditional UPDATE of one stock row with the same concurrency.
//
//   node --import tsx --conditions shopstack-source bench/catalog/reservations.ts
//   BENCH_ORDERS=2000 BENCH_CONCURRENCY=16 BENCH_PRODUCTS=100 BENCH_LINES=3 ... (all optional)
//
// Needs PG_URL (from .infra/env when unset). Uses its own database and drops it afterwards.
import '../../test/support/infra-env.cjs'; // addresses from `npm run infra -- up`
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLogger, createPgPool, runMigrations } from '@shopstack/kit';
import { createTestDatabase } from '@shopstack/kit/testing';
import type { CatalogDeps } from '../../services/catalog/src/app/deps.js';
import { noMetrics } from '../../services/catalog/src/app/metrics.js';
import { commitStock, reserveStock } from '../../services/catalog/src/app/stock.js';
import { printFigures, timed } from '../support/timing.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORDERS = env('BENCH_ORDERS', 1_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 8);
const PRODUCTS = env('BENCH_PRODUCTS', 100);
const LINES = env('BENCH_LINES', 3);

const db = await createTestDatabase('bench_catalog');
const logger = createLogger({ service: 'catalog-bench', level: 'warn' });
const pool = createPgPool(db.url, { max: CONCURRENCY + 2 });
try {
  await runMigrations({
    databaseUrl: db.url,
    service: 'catalog',
    dir: fileURLToPath(new URL('../../services/catalog/migrations', import.meta.url)),
  });
  const deps: CatalogDeps = { pool, logger, metrics: noMetrics, eventsExchange: 'shop.events' };
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
  printFigures('reserve + commit against a bare UPDATE', [
    ['reserve+commit, one hot product', hotRun],
    [`reserve+commit, ${LINES} lines over ${PRODUCTS} products`, spreadRun],
    ['baseline: bare conditional UPDATE of the hot row', baseline],
  ]);
  console.log(
    `spread products after the run: on hand ${rows[0]?.on_hand}, reserved ${rows[0]?.reserved} (expected reserved 0)`,
  );
} finally {
  await pool.end();
  await db.drop();
}
