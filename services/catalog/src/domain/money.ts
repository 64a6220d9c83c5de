// Money is integer minor units (bigint) with an ISO 4217 currency code; never floating point.

/** Largest price we accept: fits PostgreSQL bigint with room for multiplication by quantities. */
export const MAX_PRICE_MINOR = 10n ** 15n;

const CURRENCY = /^[A-Z]{3}$/;
const DIGITS = /^\d{1,16}$/;

export function isCurrency(value: string): boolean {
  return CURRENCY.test(value);
}

/** Parses a price given as a string of digits or a safe integer; undefined when it is not one. */
export function parseMinorUnits(value: unknown): bigint | undefined {
  let parsed: bigint | undefined;
  if (typeof value === 'string' && DIGITS.test(value)) parsed = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) parsed = BigInt(value);
  if (parsed === undefined || parsed > MAX_PRICE_MINOR) return undefined;
  return parsed;
}
