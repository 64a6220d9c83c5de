// API keys: created, listed by owner, found by id for an exchange, revoked, last use recorded.
import type { Queryable } from '@shopstack/kit';
import type { StoredApiKey } from '../domain/api-keys.js';

interface Row {
  id: string;
  user_id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at';

const toKey = (row: Row): StoredApiKey => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  scopes: row.scopes,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export async function insertApiKey(
  db: Queryable,
  key: {
    id: string;
    userId: string;
    name: string;
    scopes: readonly string[];
    secretHash: Buffer;
    expiresAt: Date | null;
  },
): Promise<StoredApiKey> {
  const { rows } = await db.query<Row>(
    `insert into api_keys (id, user_id, name, scopes, secret_hash, expires_at)
     values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [key.id, key.userId, key.name, key.scopes, key.secretHash, key.expiresAt],
  );
  return toKey(rows[0]!);
}

export async function listApiKeys(db: Queryable, userId: string): Promise<StoredApiKey[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from api_keys where user_id = $1 order by created_at desc, id`,
    [userId],
  );
  return rows.map(toKey);
}

export async function findApiKeyWithSecret(
  db: Queryable,
  id: string,
): Promise<{ key: StoredApiKey; secretHash: Buffer } | undefined> {
  const { rows } = await db.query<Row & { secret_hash: Buffer }>(
    `select ${COLUMNS}, secret_hash from api_keys where id = $1`,
    [id],
  );
  const row = rows[0];
  return row && { key: toKey(row), secretHash: row.secret_hash };
}

/** True when this call revoked it: the owner's key, not revoked before. */
export async function revokeApiKey(db: Queryable, id: string, userId: string): Promise<boolean> {
  const result = await db.query(
    'update api_keys set revoked_at = now() where id = $1 and user_id = $2 and revoked_at is null',
    [id, userId],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function touchApiKey(db: Queryable, id: string): Promise<void> {
  await db.query('update api_keys set last_used_at = now() where id = $1', [id]);
}
