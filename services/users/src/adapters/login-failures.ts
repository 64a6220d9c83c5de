// Failed sign-ins per (normalized email, client address) and per client address, and the locks they
// lead to (see domain/lockout.ts).
import type { Queryable } from '@shopstack/kit';
import {
  FAILURE_MEMORY_SECONDS,
  FREE_ATTEMPTS,
  FREE_ATTEMPTS_PER_IP,
  lockSecondsAfter,
} from '../domain/lockout.js';

/** Seconds this client is still locked out of this account, or out of every account (0 = not locked). */
export async function lockedForSeconds(db: Queryable, email: string, ip: string): Promise<number> {
  const { rows } = await db.query<{ seconds: number | null }>(
    `select ceil(extract(epoch from (greatest(
        (select locked_until from login_failures where email = $1 and client_ip = $2),
        (select locked_until from login_failures_by_ip where client_ip = $2)) - now())))::int as seconds`,
    [email, ip],
  );
  return Math.max(rows[0]?.seconds ?? 0, 0);
}

/** Counts one more failure for the account from this client and for the client; returns the longer lock. */
export async function recordLoginFailure(db: Queryable, email: string, ip: string): Promise<number> {
  // A count whose last failure is long past starts again.
  const recount = (table: string) =>
    `failures = case when ${table}.last_failure_at < now() - make_interval(secs => ${FAILURE_MEMORY_SECONDS})
                     then 1 else ${table}.failures + 1 end, last_failure_at = now()`;
  const account = await db.query<{ failures: number }>(
    `insert into login_failures (email, client_ip, failures, last_failure_at) values ($1, $2, 1, now())
     on conflict (email, client_ip) do update set ${recount('login_failures')} returning failures`,
    [email, ip],
  );
  const client = await db.query<{ failures: number }>(
    `insert into login_failures_by_ip (client_ip, failures, last_failure_at) values ($1, 1, now())
     on conflict (client_ip) do update set ${recount('login_failures_by_ip')} returning failures`,
    [ip],
  );
  const accountLock = lockSecondsAfter(account.rows[0]!.failures, FREE_ATTEMPTS);
  const clientLock = lockSecondsAfter(client.rows[0]!.failures, FREE_ATTEMPTS_PER_IP);
  if (accountLock > 0) {
    await db.query(
      `update login_failures set locked_until = now() + make_interval(secs => $3)
        where email = $1 and client_ip = $2`,
      [email, ip, accountLock],
    );
  }
  if (clientLock > 0) {
    await db.query(
      'update login_failures_by_ip set locked_until = now() + make_interval(secs => $2) where client_ip = $1',
      [ip, clientLock],
    );
  }
  return Math.max(accountLock, clientLock);
}

/**
 * A success clears the account's count from this client (`ip`), or from every client (a password
 * reset). The per-address count is never cleared by a success: an attacker could reset it by signing
 * in to an account of their own between guesses.
 */
export async function clearLoginFailures(db: Queryable, email: string, ip?: string): Promise<void> {
  if (ip === undefined) await db.query('delete from login_failures where email = $1', [email]);
  else await db.query('delete from login_failures where email = $1 and client_ip = $2', [email, ip]);
}
