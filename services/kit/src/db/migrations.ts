// Migrations with node-pg-migrate, run at service start. Idempotent, and safe when several
// replicas start at once: they queue on one advisory lock (node-pg-migrate's own lock would make
// every replica but the first fail). The kit's own tables (outbox, inbox) are migrated first and
// tracked apart from the service's, so a service's numbering never collides with the kit's. Each
// service tracks its migrations in a table named after it (`<service>_migrations`), so services that
// share one database (a shared server, a misconfigured Secret) never read each other's history.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from '../logging.js';

const kitMigrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));
const MIGRATION_LOCK = 7_310_442_000; // arbitrary, fixed: "schema changes of this database"
/** Where every service kept its history before the table was named after the service. */
const LEGACY_TABLE = 'migrations';

export interface MigrateOptions {
  databaseUrl: string;
  /** The service whose schema this is; names its migrations table. */
  service: string;
  /** Folder of the service's migrations (`.sql` files with `-- Up Migration` / `-- Down Migration`). */
  dir: string;
  logger?: Logger;
}

export function migrationsTable(service: string): string {
  if (!/^[a-z][a-z0-9_-]{0,40}$/.test(service))
    throw new Error(`invalid service name for migrations: ${service}`);
  return `${service.replaceAll('-', '_')}_migrations`;
}

/**
 * A database migrated before per-service tables has the service's history in `migrations`: adopt it
 * (rename) when every row in it is one of this service's migrations, so nothing runs twice.
 */
async function adoptLegacyTable(client: pg.Client, table: string, dir: string): Promise<void> {
  const { rows } = await client.query<{ legacy: string | null; own: string | null }>(
    "select to_regclass('public.' || $1)::text as legacy, to_regclass('public.' || $2)::text as own",
    [LEGACY_TABLE, table],
  );
  if (!rows[0]?.legacy || rows[0].own) return;
  const mine = new Set(readdirSync(dir).map((file) => file.replace(/\.[^.]+$/, '')));
  const names = await client.query<{ name: string }>(`select name from ${LEGACY_TABLE}`);
  if (names.rows.length === 0 || !names.rows.every((row) => mine.has(row.name))) return;
  await client.query(`alter table ${LEGACY_TABLE} rename to ${table}`);
}

export async function runMigrations(options: MigrateOptions): Promise<void> {
  const table = migrationsTable(options.service);
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
    await adoptLegacyTable(client, table, options.dir);
    await runner({ ...common, dir: options.dir, migrationsTable: table });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}
