// Consecutive failed sign-ins per normalized email, and the lock they lead to.
import type { Queryable } from '@shopstack/kit';
import { lockSecondsAfter } from '../domain/lockout.js';

/** Seconds the email is still locked for (0 when it is not). */
export async function lockedForSeconds(db: Queryable, email: string): Promise<number> {
  const { rows } = await db.query<{ seconds: number }>(
    `select ceil(extract(epoch from (locked_until - now())))::int as seconds
       from login_failures where email = $1 and locked_until > now()`,
    [email],
  );
  return rows[0]?.seconds ?? 0;
}

/** Counts one more failure and applies the backoff; returns the lock in seconds (0 = none yet). */
export async function recordLoginFailure(db: Queryable, email: string): Promise<number> {
  const { rows } = await db.query<{ failures: number }>(
    `insert into login_failures (email, failures, last_failure_at) values ($1, 1, now())
     on conflict (email) do update set failures = login_failures.failures + 1, last_failure_at = now()
     returning failures`,
    [email],
  );
  const seconds = lockSecondsAfter(rows[0]!.failures);
  if (seconds > 0) {
    await db.query(
      'update login_failures set locked_until = now() + make_interval(secs => $2) where email = $1',
      [email, seconds],
    );
  }
  return seconds;
}

export async function clearLoginFailures(db: Queryable, email: string): Promise<void> {
  await db.query('delete from login_failures where email = $1', [email]);
}
