// Money is an integer number of minor units (cents) in a bigint, paired with an ISO 4217 code.
// bigint keeps arithmetic exact; MongoDB stores it as a BSON Int64 (the client reads it back as a
// bigint), and JSON/gRPC carry it as a decimal string so no JavaScript number ever rounds it.
//
// A single amount is capped at MAX_AMOUNT (10^15 minor units) so that sums over many movements stay far
// below the Int64 limit (9.2 * 10^18) and reconciliation can add every balance without overflow.

export const MAX_AMOUNT = 1_000_000_000_000_000n;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const DIGITS = /^(0|[1-9][0-9]{0,18})$/;

export type Currency = string;

export function isCurrency(value: string): value is Currency {
  return CURRENCY_PATTERN.test(value);
}

/** Parses a decimal string or a safe integer into minor units; returns undefined for anything else. */
export function parseMinor(value: unknown): bigint | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  }
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && DIGITS.test(value)) return BigInt(value);
  return undefined;
}

/** A positive amount a client may move: 1 .. MAX_AMOUNT minor units. */
export function isMovableAmount(amount: bigint): boolean {
  return amount > 0n && amount <= MAX_AMOUNT;
}

export function formatMinor(amount: bigint): string {
  return amount.toString();
}
