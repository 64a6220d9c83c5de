// The orders schema: the kit's outbox/inbox, then this service's migrations.
import { fileURLToPath } from 'node:url';
import { type Logger, runMigrations } from '@shopstack/kit';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export function migrateOrdersDb(databaseUrl: string, logger?: Logger): Promise<void> {
  return runMigrations({ databaseUrl, service: 'orders', dir: MIGRATIONS_DIR, logger });
}
