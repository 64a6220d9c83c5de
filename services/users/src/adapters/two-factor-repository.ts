// TOTP secrets and recovery codes.
import type { Queryable } from '@shopstack/kit';
import { hashSecret } from '../domain/secrets.js';

export interface TwoFactorRecord {
  secret: string;
  confirmedAt: Date | null;
  lastUsedStep: number;
}

export async function findTwoFactor(
  db: Queryable,
  userId: string,
  forUpdate = false,
): Promise<TwoFactorRecord | undefined> {
  const { rows } = await db.query<{ secret: string; confirmed_at: Date | null; last_used_step: string }>(
    `select secret, confirmed_at, last_used_step from two_factor where user_id = $1${forUpdate ? ' for update' : ''}`,
    [userId],
  );
  const row = rows[0];
  return (
    row && { secret: row.secret, confirmedAt: row.confirmed_at, lastUsedStep: Number(row.last_used_step) }
  );
}

/** Starts (or restarts) an enrolment; a confirmed second factor is never replaced this way. */
export async function savePendingSecret(db: Queryable, userId: string, secret: string): Promise<boolean> {
  const result = await db.query(
    `insert into two_factor (user_id, secret) values ($1, $2)
     on conflict (user_id) do update set secret = excluded.secret, last_used_step = 0
       where two_factor.confirmed_at is null`,
    [userId, secret],
  );
  return result.rowCount === 1;
}

export async function confirmTwoFactor(db: Queryable, userId: string, step: number): Promise<void> {
  await db.query('update two_factor set confirmed_at = now(), last_used_step = $2 where user_id = $1', [
    userId,
    step,
  ]);
}

export async function recordUsedStep(db: Queryable, userId: string, step: number): Promise<void> {
  await db.query('update two_factor set last_used_step = $2 where user_id = $1', [userId, step]);
}

export async function deleteTwoFactor(db: Queryable, userId: string): Promise<void> {
  await db.query('delete from two_factor where user_id = $1', [userId]);
  await db.query('delete from recovery_codes where user_id = $1', [userId]);
}

export async function replaceRecoveryCodes(db: Queryable, userId: string, codes: string[]): Promise<void> {
  await db.query('delete from recovery_codes where user_id = $1', [userId]);
  for (const code of codes) {
    await db.query('insert into recovery_codes (code_hash, user_id) values ($1, $2)', [
      hashSecret(code),
      userId,
    ]);
  }
}

/** Spends a recovery code; false when it is unknown or already used. */
export async function useRecoveryCode(db: Queryable, userId: string, code: string): Promise<boolean> {
  const result = await db.query(
    'update recovery_codes set used_at = now() where code_hash = $1 and user_id = $2 and used_at is null',
    [hashSecret(code), userId],
  );
  return result.rowCount === 1;
}

export async function countUnusedRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'select count(*)::int as n from recovery_codes where user_id = $1 and used_at is null',
    [userId],
  );
  return rows[0]?.n ?? 0;
}
