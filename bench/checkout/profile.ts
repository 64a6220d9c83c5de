// Where a checkout's CPU goes inside each service: runs the shop's processes under V8's sampling
// profiler (`bench/checkout/cpu-profile-hook.mjs`), puts them under full load, and prints, per process and per confirmed
// order, the sampled CPU by package (a dependency, the kit, the service's own code, Node's internals,
// the garbage collector) and the functions with the most self time. Only samples taken while orders
// ran are counted, not the start-up.
//
//   npm run infra -- up postgres rabbitmq ferretdb
//   node --import tsx --conditions shopstack-source bench/checkout/profile.ts
//   BENCH_ORDERS=200 BENCH_CONCURRENCY=8 BENCH_TOP=15 BENCH_KEEP_PROFILES=1   # optional
//
// run.ts gives the rates and the CPU per program from /proc; this says which code inside a Node
// process spends it. Figures only: nothing here asserts on timings.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestQueue } from '@shopstack/kit/testing';
import { placeOrder, type Session, startShopProcesses } from '../../test/checkout/support/shop.js';
import { productsAndCustomers } from './customers.js';
import '../../test/support/infra-env.cjs';
import { type CpuProfile, summarizeProfile } from './profile-summary.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TOP = Number(process.env.BENCH_TOP ?? 15);

const dir = await mkdtemp(join(tmpdir(), 'checkout-profile-'));
const hook = fileURLToPath(new URL('cpu-profile-hook.mjs', import.meta.url));
const shop = await startShopProcesses({ env: { NODE_OPTIONS: `--import ${hook}`, CPU_PROFILE_DIR: dir } });
// The hook names each profile <pid>.cpuprofile.
const processes = new Map(
  (['users', 'catalog', 'payments', 'orders'] as const).map((name) => [String(shop[name].child.pid), name]),
);
let window: { from: number; to: number };
try {
  const { products, customers } = await productsAndCustomers(shop, CONCURRENCY);
  const done = await createTestQueue(shop.names.events, 'order.*');
  const ended = new Set<string>();
  const poll = setInterval(() => {
    for (const message of done.messages.splice(0)) ended.add(JSON.parse(message.content.toString()).orderId);
  }, 2);
  let issued = 0;
  const from = nowMicros();
  const lines = products.map((productId): [string, number] => [productId, 1]);
  const order = async (customer: Session) => {
    const orderId = await placeOrder(shop, customer, lines);
    while (!ended.has(orderId)) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  await Promise.all(
    customers.map(async (customer) => {
      while (issued < ORDERS) {
        issued++;
        await order(customer);
      }
    }),
  );
  window = { from, to: nowMicros() };
  clearInterval(poll);
  await done.close();
} finally {
  await shop.stop(); // SIGTERM: each process exits and writes its profile
}

console.log(`checkout profile: ${ORDERS} orders, ${CONCURRENCY} customers, 2 cart lines each`);
console.log(`  ${((window.to - window.from) / 1e6).toFixed(1)} s of full load\n`);
const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile'));
for (const name of ['orders', 'catalog', 'payments', 'users']) {
  for (const file of files.filter((f) => processes.get(f.split('.')[0]!) === name)) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const summary = summarizeProfile(profile, window);
    const perOrder = (ms: number) => (ms / ORDERS).toFixed(2).padStart(7);
    console.log(`${name}: ${perOrder(summary.totalMs)} ms sampled per order (${file})`);
    console.log('  by package                                          ms/order');
    for (const [pkg, ms] of summary.byPackage.slice(0, TOP))
      console.log(`    ${pkg.padEnd(48)}${perOrder(ms)}`);
    console.log('  by function (self time)                             ms/order');
    for (const [fn, ms] of summary.byFunction.slice(0, TOP))
      console.log(`    ${fn.padEnd(48)}${perOrder(ms)}`);
    console.log('');
  }
}
// Kept on request, to open in Chrome DevTools (Performance → Load profile) or read further.
if (process.env.BENCH_KEEP_PROFILES) console.log(`profiles kept in ${dir}`);
else await rm(dir, { recursive: true, force: true });

/** V8 stamps its samples with the monotonic clock in microseconds, as hrtime reads it here. */
function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
