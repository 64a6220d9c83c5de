// Integer minor units to words a customer reads, without floating point: the amount is turned into an
// exact decimal string and Intl formats that string (Intl.NumberFormat accepts decimal strings).

export function formatMoney(minor: string, currency: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const decimal = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return format.format(`${negative ? '-' : ''}${decimal}` as unknown as number);
}
