// A migrated orders database of its own per suite, dropped afterwards.
import { createPgPool, type Pool } from '@shopstack/kit';
import { createTestDatabase } from '@shopstack/kit/testing';
import { migrateOrdersDb } from '../../src/adapters/migrate.js';

export interface OrdersTestDb {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

export async function createOrdersTestDb(): Promise<OrdersTestDb> {
  const database = await createTestDatabase('orders_test');
  await migrateOrdersDb(database.url);
  const pool = createPgPool(database.url, { max: 5 });
  return {
    url: database.url,
    pool,
    async drop() {
      await pool.end();
      await database.drop();
    },
  };
}
