// Small helpers shared by the catalog suites: creating products through the API, reading stock rows.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestCatalog } from './catalog.js';

export async function createProduct(
  catalog: TestCatalog,
  token: string,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; [key: string]: unknown }> {
  const created = await catalog.call('POST', '/api/catalog/products', {
    token,
    body: {
      name: `Product ${randomUUID().slice(0, 8)}`,
      priceMinor: '1000',
      currency: 'EUR',
      stockOnHand: 10,
      ...fields,
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

export async function stockOf(catalog: TestCatalog, productId: string) {
  const { rows } = await catalog.service.deps.pool.query<{ on_hand: number; reserved: number }>(
    'select stock_on_hand as on_hand, stock_reserved as reserved from products where id = $1',
    [productId],
  );
  const row = rows[0]!;
  return { onHand: row.on_hand, reserved: row.reserved, available: row.on_hand - row.reserved };
}

/** Every row of the catalog's tables, counted: a request that must change nothing leaves it equal. */
export async function tableCounts(catalog: TestCatalog) {
  const { rows } = await catalog.service.deps.pool.query<Record<string, number>>(
    `select (select count(*)::int from products) as products,
            (select count(*)::int from categories) as categories,
            (select count(*)::int from stock_reservations) as reservations,
            (select count(*)::int from stock_reservation_lines) as reservation_lines,
            (select count(*)::int from reviews) as reviews,
            (select count(*)::int from favourites) as favourites,
            (select count(*)::int from purchases) as purchases,
            (select coalesce(sum(stock_on_hand), 0)::int from products) as on_hand,
            (select coalesce(sum(stock_reserved), 0)::int from products) as reserved,
            (select coalesce(max(updated_at)::text, '') from products) as products_changed_at,
            (select coalesce(max(updated_at)::text, '') from categories) as categories_changed_at,
            (select coalesce(max(updated_at)::text, '') from reviews) as reviews_changed_at`,
  );
  return rows[0]!;
}
