// Replays every order stream into the read model, from a shell with access to the orders database:
//
//   DATABASE_URL=postgres://... npm run rebuild-views -w @shopstack/orders
import { createPgPool, loadConfig, postgresConfig } from '@shopstack/kit';
import { z } from 'zod';
import { rebuildReadModel } from '../app/read-model.js';

const { DATABASE_URL } = loadConfig(z.object(postgresConfig));
const pool = createPgPool(DATABASE_URL, { max: 1, name: 'rebuild-views' });
try {
  const streams = await rebuildReadModel(pool);
  console.log(`order_views rebuilt from ${streams} order stream(s)`);
} finally {
  await pool.end();
}
