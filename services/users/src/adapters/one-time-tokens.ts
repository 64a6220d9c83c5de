// Single-use, expiring tokens (email verification, password reset, second-factor challenge),
// stored as hashes.
import type { Queryable } from '@shopstack/kit';
import { hashSecret, newOpaqueToken } from '../domain/secrets.js';

export type TokenPurpose = 'verify_email' | 'reset_password' | 'login_challenge';

export async function issueOneTimeToken(
  db: Queryable,
  userId: string,
  purpose: TokenPurpose,
  ttlSeconds: number,
): Promise<string> {
  const token = newOpaqueToken();
  await db.query(
    `insert into one_time_tokens (token_hash, user_id, purpose, expires_at)
     values ($1, $2, $3, now() + make_interval(secs => $4))`,
    [hashSecret(token), userId, purpose, ttlSeconds],
  );
  return token;
}

/** Spends the token; returns its user, or undefined when unknown, spent, expired or for another purpose. */
export async function consumeOneTimeToken(
  db: Queryable,
  token: string,
  purpose: TokenPurpose,
): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    `update one_time_tokens set used_at = now()
      where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()
      returning user_id`,
    [hashSecret(token), purpose],
  );
  return rows[0]?.user_id;
}

/** Reads a token without spending it (a second-factor challenge survives a wrong code). */
export async function peekOneTimeToken(
  db: Queryable,
  token: string,
  purpose: TokenPurpose,
): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    `select user_id from one_time_tokens
      where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()`,
    [hashSecret(token), purpose],
  );
  return rows[0]?.user_id;
}

export async function invalidateOneTimeTokens(
  db: Queryable,
  userId: string,
  purpose: TokenPurpose,
): Promise<void> {
  await db.query(
    'update one_time_tokens set used_at = now() where user_id = $1 and purpose = $2 and used_at is null',
    [userId, purpose],
  );
}
