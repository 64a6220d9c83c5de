// A throwaway PostgreSQL database per test suite, so suites never share state.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run \`npm run infra -- up\` for the component that provides it`);
  return value;
}

/** Creates `<prefix>_<random>` on the server PG_URL points at (a superuser URL). */
export async function createTestDatabase(
  prefix: string,
  adminUrl = requireEnv('PG_URL'),
): Promise<TestDatabase> {
  const name = `${prefix}_${randomSuffix()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
