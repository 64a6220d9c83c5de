// PostgreSQL: one pool per service, transactions as a function, and the error codes we branch on.
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that can run a query: the pool itself or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

// bigint columns come back as strings by default (they may not fit a JS number); we keep them as
// strings in rows and convert deliberately where needed. Money code must use BigInt, never Number.

export function createPgPool(connectionString: string, options: { max?: number; name?: string } = {}): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.name,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  isolation: IsolationLevel = 'read committed',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`begin isolation level ${isolation}`);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_SERIALIZATION_FAILURE = '40001';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return (
    pgError?.code === PG_UNIQUE_VIOLATION && (constraint === undefined || pgError.constraint === constraint)
  );
}

/** Readiness check for /readyz. */
export function pgReadiness(pool: Pool) {
  return { name: 'postgres', check: async () => void (await pool.query('select 1')) };
}
