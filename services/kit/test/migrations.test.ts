// Two services migrating into one database (a shared server, or a Secret pointing at the wrong
// database) each keep their own history; a database migrated with the old shared `migrations` table
// is adopted by its service without running anything twice.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { createPgPool, runMigrations } from '../src/index.js';
import { createTestDatabase, type TestDatabase, tempDir } from '../src/testing/index.js';

function migrationsDir(service: string, names: string[]): string {
  const dir = tempDir(`kit-${service}-`);
  for (const name of names) {
    const table = name.replace(/^\d+_/, '').replaceAll('-', '_');
    writeFileSync(
      join(dir, `${name}.sql`),
      `-- Up Migration\nCREATE TABLE ${table} (id int);\n-- Down Migration\nDROP TABLE ${table};\n`,
    );
  }
  return dir;
}

async function names(pool: Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(`select name from ${table} order by run_on, id`);
  return rows.map((row) => row.name);
}

describe('kit migrations, one table per service', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeEach(async () => {
    database = await createTestDatabase('kit_migrations');
    pool = createPgPool(database.url, { max: 1 });
  });

  afterEach(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('lets two services migrate one database, in any order, again and again', async () => {
    // The second service's first migration is older than the first's: with one shared table,
    // checkOrder would refuse it ("not run migration ... is preceding").
    const alpha = migrationsDir('alpha', ['1700000000002_alpha-things']);
    const beta = migrationsDir('beta', ['1700000000001_beta-things']);
    await runMigrations({ databaseUrl: database.url, service: 'alpha', dir: alpha });
    await runMigrations({ databaseUrl: database.url, service: 'beta', dir: beta });
    await Promise.all([
      runMigrations({ databaseUrl: database.url, service: 'alpha', dir: alpha }),
      runMigrations({ databaseUrl: database.url, service: 'beta', dir: beta }),
    ]);
    assert.deepEqual(await names(pool, 'alpha_migrations'), ['1700000000002_alpha-things']);
    assert.deepEqual(await names(pool, 'beta_migrations'), ['1700000000001_beta-things']);
    const tables = await pool.query<{ t: string | null }>(
      "select to_regclass('public.migrations')::text as t",
    );
    assert.equal(tables.rows[0]?.t, null, 'no shared migrations table is made');
  });

  it('adopts a database migrated into the old shared table, running only what is new', async () => {
    const before = migrationsDir('gamma', ['1700000000001_gamma-one']);
    // As the previous version left it: the history in `migrations`.
    await pool.query(
      'create table migrations (id serial primary key, name varchar(255) not null, run_on timestamp not null)',
    );
    await pool.query('create table gamma_one (id int)');
    await pool.query("insert into migrations (name, run_on) values ('1700000000001_gamma-one', now())");
    writeFileSync(
      join(before, '1700000000002_gamma-two.sql'),
      '-- Up Migration\nCREATE TABLE gamma_two (id int);\n-- Down Migration\nDROP TABLE gamma_two;\n',
    );
    await runMigrations({ databaseUrl: database.url, service: 'gamma', dir: before });
    assert.deepEqual(await names(pool, 'gamma_migrations'), [
      '1700000000001_gamma-one',
      '1700000000002_gamma-two',
    ]);
    await pool.query('select * from gamma_two');
  });

  it('leaves a shared table alone when it holds another service history', async () => {
    await pool.query(
      'create table migrations (id serial primary key, name varchar(255) not null, run_on timestamp not null)',
    );
    await pool.query("insert into migrations (name, run_on) values ('1600000000000_someone-else', now())");
    const delta = migrationsDir('delta', ['1700000000001_delta-one']);
    await runMigrations({ databaseUrl: database.url, service: 'delta', dir: delta });
    assert.deepEqual(await names(pool, 'migrations'), ['1600000000000_someone-else']);
    assert.deepEqual(await names(pool, 'delta_migrations'), ['1700000000001_delta-one']);
  });

  it('refuses a service name that cannot name a table', async () => {
    await assert.rejects(
      runMigrations({ databaseUrl: database.url, service: 'Robert"); drop', dir: tempDir('kit-refused-') }),
      /invalid service name/,
    );
  });
});
