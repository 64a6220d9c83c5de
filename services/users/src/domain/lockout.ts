// Lockout with growing backoff, bounded per (account, client address) and per client address.
// A few mistakes are free; after that every failure locks for twice as long as the previous one, up
// to a ceiling. An attacker's failures lock the attacker's address, never the owner signing in from
// elsewhere; one address trying a few passwords on many accounts is locked by its own total.
// Accounts that do not exist are treated identically, so the lockout itself reveals nothing.
export const FREE_ATTEMPTS = 5;
/** Failures one address may make across all accounts before it is slowed down. */
export const FREE_ATTEMPTS_PER_IP = 20;
export const FIRST_LOCK_SECONDS = 30;
export const MAX_LOCK_SECONDS = 60 * 60;
/** A count whose last failure is older than this starts again (a shared address is not locked forever). */
export const FAILURE_MEMORY_SECONDS = 60 * 60;

/** Seconds to lock after the `failures`-th consecutive failure (0 = no lock). */
export function lockSecondsAfter(failures: number, free = FREE_ATTEMPTS): number {
  if (failures < free) return 0;
  return Math.min(FIRST_LOCK_SECONDS * 2 ** (failures - free), MAX_LOCK_SECONDS);
}

/** The key a sign-in's failures count under when the client address is unknown (no edge in front). */
export const clientKey = (ip: string | undefined) => ip ?? '';
