// Migrations with node-pg-migrate, run at service start. Idempotent, and safe when several
// replicas start at once: they queue on one advisory lock (node-pg-migrate's own lock would make
// every replica but the first fail). The kit's own tables (outbox, inbox) are migrated first and
// tracked apart from the service's, so a service's numbering never collides with the kit's.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from '../logging.js';

const kitMigrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));
const MIGRATION_LOCK = 7_310_442_000; // arbitrary, fixed: "schema changes of this database"

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder of the service's migrations (`.sql` files with `-- Up Migration` / `-- Down Migration`). */
  dir: string;
  logger?: Logger;
}

export async function runMigrations(options: MigrateOptions): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'migrations' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const common = {
      dbClient: client,
      noLock: true, // we hold the lock above
      direction: 'up' as const,
      count: Number.POSITIVE_INFINITY,
      checkOrder: true,
      log: (message: string) => options.logger?.debug(message),
      verbose: false,
    };
    await runner({ ...common, dir: kitMigrationsDir, migrationsTable: 'kit_migrations' });
    await runner({ ...common, dir: options.dir, migrationsTable: 'migrations' });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}
