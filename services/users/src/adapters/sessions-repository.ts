// Refresh-token families (one per sign-in) and the tokens rotated within them.
import type { Queryable } from '@shopstack/kit';

export async function createFamily(
  db: Queryable,
  family: { id: string; userId: string; userAgent?: string | undefined; ip?: string | undefined },
): Promise<void> {
  await db.query('insert into refresh_families (id, user_id, user_agent, ip) values ($1, $2, $3, $4)', [
    family.id,
    family.userId,
    family.userAgent ?? null,
    family.ip ?? null,
  ]);
}

export async function insertRefreshToken(
  db: Queryable,
  token: { hash: Buffer; familyId: string; expiresAt: Date },
): Promise<void> {
  await db.query('insert into refresh_tokens (token_hash, family_id, expires_at) values ($1, $2, $3)', [
    token.hash,
    token.familyId,
    token.expiresAt,
  ]);
}

export interface StoredRefreshToken {
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  familyRevokedAt: Date | null;
}

/** Locks the token row, so two refreshes with one token are decided one after the other. */
export async function findRefreshTokenForUpdate(
  db: Queryable,
  hash: Buffer,
): Promise<StoredRefreshToken | undefined> {
  const { rows } = await db.query<{
    family_id: string;
    user_id: string;
    expires_at: Date;
    used_at: Date | null;
    revoked_at: Date | null;
  }>(
    `select t.family_id, f.user_id, t.expires_at, t.used_at, f.revoked_at
       from refresh_tokens t join refresh_families f on f.id = t.family_id
      where t.token_hash = $1 for update of t`,
    [hash],
  );
  const row = rows[0];
  return (
    row && {
      familyId: row.family_id,
      userId: row.user_id,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      familyRevokedAt: row.revoked_at,
    }
  );
}

export async function markRefreshTokenUsed(db: Queryable, hash: Buffer): Promise<void> {
  await db.query('update refresh_tokens set used_at = now() where token_hash = $1', [hash]);
}

/** True when this call revoked it (false: unknown or revoked before). */
export async function revokeFamily(db: Queryable, familyId: string, reason: string): Promise<boolean> {
  const result = await db.query(
    'update refresh_families set revoked_at = now(), revoked_reason = $2 where id = $1 and revoked_at is null',
    [familyId, reason],
  );
  return (result.rowCount ?? 0) > 0;
}

/** The ids of the families this call revoked. */
export async function revokeAllFamilies(db: Queryable, userId: string, reason: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `update refresh_families set revoked_at = now(), revoked_reason = $2
      where user_id = $1 and revoked_at is null returning id`,
    [userId, reason],
  );
  return rows.map((row) => row.id);
}

export async function isFamilyActive(db: Queryable, familyId: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from refresh_families where id = $1 and revoked_at is null', [
    familyId,
  ]);
  return rows.length > 0;
}

export interface SessionRecord {
  id: string;
  createdAt: Date;
  lastRefreshedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

/** A user's sessions, newest first. */
export async function listFamilies(db: Queryable, userId: string, limit: number): Promise<SessionRecord[]> {
  const { rows } = await db.query<{
    id: string;
    created_at: Date;
    last_refreshed_at: Date | null;
    revoked_at: Date | null;
    revoked_reason: string | null;
  }>(
    `select f.id, f.created_at, f.revoked_at, f.revoked_reason,
            (select max(t.created_at) from refresh_tokens t where t.family_id = f.id) as last_refreshed_at
       from refresh_families f where f.user_id = $1 order by f.created_at desc limit $2`,
    [userId, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at,
    lastRefreshedAt: row.last_refreshed_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  }));
}

export interface OpenSession {
  id: string;
  createdAt: Date;
  lastRefreshedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/**
 * A user's sessions that can still be refreshed (not revoked, an unspent token not yet expired),
 * most recently used first.
 */
export async function listOpenFamilies(db: Queryable, userId: string, limit: number): Promise<OpenSession[]> {
  const { rows } = await db.query<{
    id: string;
    created_at: Date;
    user_agent: string | null;
    ip: string | null;
    last_refreshed_at: Date;
    expires_at: Date;
  }>(
    `select f.id, f.created_at, f.user_agent, f.ip, t.created_at as last_refreshed_at, t.expires_at
       from refresh_families f
       join refresh_tokens t on t.family_id = f.id and t.used_at is null and t.expires_at > now()
      where f.user_id = $1 and f.revoked_at is null
      order by t.created_at desc limit $2`,
    [userId, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at,
    lastRefreshedAt: row.last_refreshed_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    ip: row.ip,
  }));
}

/** The family's owner, when it exists. */
export async function familyOwner(db: Queryable, familyId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>('select user_id from refresh_families where id = $1', [
    familyId,
  ]);
  return rows[0]?.user_id;
}
