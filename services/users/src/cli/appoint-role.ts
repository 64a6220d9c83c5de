// Gives an existing account a role, from a shell with access to the users database — how a shop
// gets its first admin, since only admins can change roles through the API:
//
//   DATABASE_URL=postgres://... npm run appoint-role -w @shopstack/users -- ann@example.com admin
import { createPgPool } from '@shopstack/kit';
import { z } from 'zod';
import { appointRole } from '../app/admin.js';
import { usersConfigSchema } from '../config.js';
import { ROLES } from '../domain/roles.js';

const args = z
  .tuple([z.email(), z.enum(ROLES)])
  .safeParse(process.argv.slice(2).filter((arg) => arg !== '--'));
const env = z
  .object({
    DATABASE_URL: z.string().min(1),
    EVENTS_EXCHANGE: z.string().min(1).default('shop.events'),
    ACCESS_TOKEN_TTL_SECONDS: usersConfigSchema.shape.ACCESS_TOKEN_TTL_SECONDS,
  })
  .safeParse(process.env);
if (!args.success || !env.success) {
  console.error(`usage: DATABASE_URL=... appoint-role <email> <${ROLES.join('|')}>`);
  process.exit(2);
}

const pool = createPgPool(env.data.DATABASE_URL, { max: 1, name: 'appoint-role' });
try {
  const [email, role] = args.data;
  // Only the events exchange (the relay of the running service publishes it) and the token lifetime
  // (how long the old role's tokens are denied) are read from the settings.
  const settings = {
    eventsExchange: env.data.EVENTS_EXCHANGE,
    accessTokenTtlSeconds: env.data.ACCESS_TOKEN_TTL_SECONDS,
  } as Parameters<typeof appointRole>[0]['settings'];
  const user = await appointRole({ pool, settings }, email, role);
  console.log(`${user.email} is now ${user.role}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
