// Per-account lockout with growing backoff. A few mistakes are free; after that every failure locks
// the account for twice as long as the previous one, up to a ceiling. Accounts that do not exist
// are treated identically, so the lockout itself reveals nothing.
export const FREE_ATTEMPTS = 5;
export const FIRST_LOCK_SECONDS = 30;
export const MAX_LOCK_SECONDS = 60 * 60;

/** Seconds to lock after the `failures`-th consecutive failure (0 = no lock). */
export function lockSecondsAfter(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(FIRST_LOCK_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK_SECONDS);
}
