// Migrations with node-pg-migrate, run at service start (idempotent; a lock keeps concurrent
// replicas from racing). The kit's own tables (outbox, inbox) are migrated first, tracked apart
// from the service's, so a service's numbering never collides with the kit's.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logging.js';

const kitMigrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder of the service's migrations (`.sql` files with `-- Up Migration` / `-- Down Migration`). */
  dir: string;
  logger?: Logger;
}

export async function runMigrations(options: MigrateOptions): Promise<void> {
  const log = (message: string) => options.logger?.debug(message);
  const common = {
    databaseUrl: options.databaseUrl,
    direction: 'up' as const,
    count: Number.POSITIVE_INFINITY,
    checkOrder: true,
    log,
    verbose: false,
  };
  await runner({ ...common, dir: kitMigrationsDir, migrationsTable: 'kit_migrations' });
  await runner({ ...common, dir: options.dir, migrationsTable: 'migrations' });
}
