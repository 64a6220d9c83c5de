// Daily limits on money that enters (top-ups) or leaves (withdrawals) through the provider: per user,
// currency and UTC calendar day, the accepted amounts may add up to the configured limit and no more.
// A stolen account or card can then move at most one day's limit before someone notices.

export type LimitedKind = 'topup' | 'withdrawal';

export interface DailyLimits {
  topup: bigint;
  withdrawal: bigint;
}

/** The UTC calendar day of an instant, e.g. 2026-12-01. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** One counter per user, kind, currency and day. */
export function limitStream(userId: string, kind: LimitedKind, currency: string, day: string): string {
  return `${kind}:${currency}:${day}:${userId}`;
}

export class DailyLimitExceeded extends Error {
  constructor(
    readonly limit: bigint,
    readonly remaining: bigint,
  ) {
    super(`the daily limit is ${limit}; ${remaining} remain today (UTC)`);
    this.name = 'DailyLimitExceeded';
  }
}

/** What has been used after accepting `amount`; throws when that would pass the limit. */
export function useAllowance(used: bigint, amount: bigint, limit: bigint): bigint {
  const total = used + amount;
  if (total > limit) throw new DailyLimitExceeded(limit, limit > used ? limit - used : 0n);
  return total;
}

/** Giving back a declined request's share; never below zero. */
export function returnAllowance(used: bigint, amount: bigint): bigint {
  return used > amount ? used - amount : 0n;
}
