// Demo data for `npm start`, created through the edge the way a shop's staff and customers would:
// an admin (appointed from the console), categories and products, and a customer with a balance.
// Safe to run again: what exists is left as it is, and the top-up replays under the same key.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const edge = process.env.EDGE_URL ?? 'http://127.0.0.1:8080';
const usersDatabaseUrl = process.env.USERS_DATABASE_URL;
const appointRoleCli = fileURLToPath(new URL('../services/users/src/cli/appoint-role.ts', import.meta.url));

export const DEMO_ADMIN = { email: 'admin@shopstack.test', password: 'keeper of the shop 2026' };
export const DEMO_CUSTOMER = { email: 'customer@shopstack.test', password: 'window shopping 2026' };

const CATEGORIES = [
  { slug: 'kitchen', name: 'Kitchen' },
  { slug: 'lighting', name: 'Lighting' },
];
const PRODUCTS = [
  { name: 'Stovetop espresso maker', category: 'kitchen', priceMinor: 3_490, stockOnHand: 25 },
  { name: 'Cast iron skillet', category: 'kitchen', priceMinor: 5_900, stockOnHand: 12 },
  { name: 'Brass desk lamp', category: 'lighting', priceMinor: 8_950, stockOnHand: 8 },
  { name: 'Paper pendant shade', category: 'lighting', priceMinor: 2_400, stockOnHand: 40 },
];
const CUSTOMER_TOP_UP_MINOR = 50_000;

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; key?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers['idempotency-key'] = options.key;
  const response = await fetch(`${edge}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function expect(response: { status: number; body: unknown }, allowed: number[], what: string) {
  if (!allowed.includes(response.status)) {
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response;
}

async function signIn(account: { email: string; password: string }): Promise<string> {
  expect(
    await call('POST', '/api/users/register', { body: account }),
    [201, 409],
    `register ${account.email}`,
  );
  const login = expect(
    await call('POST', '/api/users/login', { body: account }),
    [200],
    `sign in ${account.email}`,
  );
  return login.body.accessToken as string;
}

async function seedCatalog(adminToken: string): Promise<void> {
  const existing = (await call('GET', '/api/catalog/categories')).body.items as {
    id: string;
    slug: string;
  }[];
  const categoryIds = new Map(existing.map((category) => [category.slug, category.id]));
  for (const category of CATEGORIES) {
    if (categoryIds.has(category.slug)) continue;
    const created = expect(
      await call('POST', '/api/catalog/categories', { token: adminToken, body: category }),
      [201],
      `category ${category.slug}`,
    );
    categoryIds.set(category.slug, created.body.id);
  }
  for (const product of PRODUCTS) {
    const found = await call('GET', `/api/catalog/products?q=${encodeURIComponent(product.name)}`);
    if ((found.body.items as { name: string }[]).some((item) => item.name === product.name)) continue;
    expect(
      await call('POST', '/api/catalog/products', {
        token: adminToken,
        body: {
          name: product.name,
          categoryId: categoryIds.get(product.category),
          priceMinor: product.priceMinor,
          currency: 'EUR',
          stockOnHand: product.stockOnHand,
        },
      }),
      [201],
      `product ${product.name}`,
    );
  }
}

async function seedCustomerBalance(customerToken: string): Promise<void> {
  // The same idempotency key every time: a second run replays the first top-up instead of adding money.
  expect(
    await call('POST', '/api/payments/topups', {
      token: customerToken,
      key: 'demo-seed-customer-top-up',
      body: { currency: 'EUR', amount: CUSTOMER_TOP_UP_MINOR, source: 'tok_ok' },
    }),
    [200, 201, 202],
    'top up the demo customer',
  );
}

async function main(): Promise<void> {
  await signIn(DEMO_ADMIN);
  if (usersDatabaseUrl) {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', '--conditions', 'shopstack-source', appointRoleCli, DEMO_ADMIN.email, 'admin'],
      {
        env: { ...process.env, DATABASE_URL: usersDatabaseUrl },
        stdio: 'ignore',
      },
    );
  }
  const adminToken = await signIn(DEMO_ADMIN);
  await seedCatalog(adminToken);
  await seedCustomerBalance(await signIn(DEMO_CUSTOMER));
  console.log(`[seed] admin     ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`);
  console.log(
    `[seed] customer  ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password} (EUR ${CUSTOMER_TOP_UP_MINOR / 100} balance)`,
  );
  console.log(`[seed] ${PRODUCTS.length} products in ${CATEGORIES.length} categories`);
}

await main();
