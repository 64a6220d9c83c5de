// What each PostgreSQL transaction of a checkout is: runs a few orders through the shop's processes
// with every statement of theirs logged by the server (`PGOPTIONS=-c log_statement=all`, given to
// the services only), then reads those lines back from the server's log, groups them into
// transactions per connection, and prints, per database, how many transactions of each shape an
// order cost — writes (they modify rows or lock them) apart from read-only ones.
//
//   POSTGRES_LOG=.infra/logs/postgres.log node --import tsx --conditions shopstack-source bench/checkout/transactions.ts
//   BENCH_ORDERS=20 BENCH_CONCURRENCY=4   # optional
//
// A diagnosis, not a figure to compare: the bench (run.ts) counts write transactions itself.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import pg from 'pg';
import { type RunningShop, startShopProcesses } from '../../test/checkout/support/shop.js';
import '../../test/support/infra-env.cjs';
import { createTestQueue } from '@shopstack/kit/testing';
import { productsAndCustomers } from './customers.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const LOG = process.env.POSTGRES_LOG ?? '.infra/logs/postgres.log';

const shop = await startShopProcesses({ env: { PGOPTIONS: '-c log_statement=all' } });
let logFrom = 0;
const pids = new Map<number, string>();
try {
  const { products, customers } = await productsAndCustomers(shop, CONCURRENCY);
  const done = await createTestQueue(shop.names.events, 'order.completed');
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // startup's work is over
  logFrom = (await stat(LOG)).size;
  let issued = 0;
  await Promise.all(
    customers.map(async (customer) => {
      const base = `${shop.orders.httpUrl}/api/orders`;
      while (issued < ORDERS) {
        issued++;
        for (const productId of products)
          await customer.call('POST', `${base}/cart/lines`, { productId, quantity: 1 });
        await customer.call('POST', `${base}/checkout`, undefined, { 'idempotency-key': randomUUID() });
      }
    }),
  );
  while (done.messages.length < ORDERS) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // relay marks, lease releases
  await done.close();
  for (const [name, db] of [
    ['orders', shop.ordersDb],
    ['catalog', shop.catalogDb],
  ] as const) {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    for (const row of rows) pids.set(row.pid, name);
    await client.end();
  }
} finally {
  const logTo = (await stat(LOG)).size;
  await shop.stop();
  if (logFrom > 0) report((await readFile(LOG)).subarray(logFrom, logTo).toString('utf8'), shop);
}

function report(text: string, _shop: RunningShop) {
  // One entry per statement: "<ts> UTC [pid] LOG:  statement: …" or "execute <name>: …", with
  // continuation lines (multi-line SQL) that start without a timestamp.
  const statements: { pid: number; sql: string }[] = [];
  let current: { pid: number; sql: string } | undefined;
  for (const line of text.split('\n')) {
    const head = /^\d{4}-\d\d-\d\d [\d:.]+ UTC \[(\d+)\] (\w+):\s+(.*)$/.exec(line);
    if (head) {
      current = undefined;
      const [, pid, level, rest] = head;
      const sql = level === 'LOG' ? /^(?:statement|execute [^:]*): (.*)$/.exec(rest!)?.[1] : undefined;
      if (sql !== undefined && pids.has(Number(pid))) {
        current = { pid: Number(pid), sql };
        statements.push(current);
      }
    } else if (current && !line.startsWith('\t') && line.trim()) current.sql += ` ${line.trim()}`;
    else if (current && line.startsWith('\t')) current.sql += ` ${line.trim()}`;
  }
  const open = new Map<number, string[]>();
  const shapes = new Map<string, number>();
  const add = (pid: number, sqls: string[]) => {
    const write = sqls.some((sql) =>
      /^\s*(insert|update|delete|with)\b|for update|for no key update/i.test(sql),
    );
    const shape = `${pids.get(pid)} ${write ? 'WRITE' : 'read '} ${sqls.map(shorten).join(' ; ')}`;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  };
  for (const { pid, sql } of statements) {
    const tx = open.get(pid);
    if (/^\s*begin\b/i.test(sql)) open.set(pid, []);
    else if (/^\s*(commit|rollback)\b/i.test(sql)) {
      if (tx) add(pid, tx);
      open.delete(pid);
    } else if (tx) tx.push(sql);
    else add(pid, [sql]);
  }
  const rows = [...shapes].sort((a, b) => a[0].localeCompare(b[0]));
  const totals = new Map<string, number>();
  for (const [shape, count] of rows) {
    console.log(`${(count / ORDERS).toFixed(2).padStart(6)}  ${shape}`);
    const key = shape.split(' ').slice(0, 2).join(' ');
    totals.set(key, (totals.get(key) ?? 0) + count);
  }
  console.log('');
  for (const [key, count] of totals)
    console.log(`${(count / ORDERS).toFixed(2).padStart(6)}  ${key} per order`);
}

function shorten(sql: string): string {
  return sql.replace(/\s+/g, ' ').replace(/\$\d+/g, '?').slice(0, 90);
}
