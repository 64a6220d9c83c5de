// Money arrives as integer minor units in decimal strings; shown in the currency's own format.
const formats = new Map<string, Intl.NumberFormat>();

function formatOf(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/** Digits after the decimal point for a currency (EUR 2, JPY 0), as Intl knows them. */
export const minorDigits = (currency: string) =>
  formatOf(currency).resolvedOptions().maximumFractionDigits ?? 2;

export function money(minor: string | number | bigint, currency: string): string {
  const value = Number(minor) / 10 ** minorDigits(currency);
  return formatOf(currency).format(value);
}

/** "12.50" in the currency's major unit → "1250" minor units; undefined when it is not an amount. */
export function toMinor(major: string, currency: string): string | undefined {
  const digits = minorDigits(currency);
  const match = new RegExp(`^(\\d{1,12})(?:[.,](\\d{1,${digits}}))?$`).exec(major.trim());
  if (!match) return undefined;
  const minor =
    BigInt(match[1] ?? '0') * 10n ** BigInt(digits) + BigInt((match[2] ?? '').padEnd(digits, '0') || '0');
  return minor > 0n ? minor.toString() : undefined;
}

export const dateTime = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Stable reason codes (orders, payments) in words. */
const REASONS: Record<string, string> = {
  out_of_stock: 'Not enough stock',
  insufficient_funds: 'Not enough money in the wallet',
  payment_declined: 'The payment was declined',
  stock_timeout: 'The stock could not be reserved in time',
  payment_timeout: 'The payment did not answer in time',
  cancelled_by_customer: 'Cancelled by you',
  hold_expired: 'The payment hold expired',
  hold_voided: 'The payment hold was voided',
};
export const reasonText = (code: string | null | undefined) =>
  code ? (REASONS[code] ?? code.replaceAll('_', ' ')) : '';

/** "1 attempt", "3 attempts". */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
