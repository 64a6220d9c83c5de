// What a report is: its kind, its period (whole UTC days, both ends included) and how its rows are
// laid out in the files people download. Pure: the generator (app/reports.ts) fills it from the
// reporting store, the API parses requests with the same schema.
import { z } from 'zod';

export const REPORT_KINDS = ['sales', 'finance', 'customers', 'repairs'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** The longest period one report covers (ten years of days). */
export const MAX_REPORT_DAYS = 3660;

const day = z.iso.date();

export const ReportParams = z
  .object({
    kind: z.enum(REPORT_KINDS),
    from: day,
    to: day,
  })
  .refine((p) => p.from <= p.to, { message: 'must not be after to', path: ['from'] })
  .refine((p) => daysBetween(p.from, p.to).length <= MAX_REPORT_DAYS, {
    message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    path: ['to'],
  });
export type ReportParams = z.infer<typeof ReportParams>;

/** Every day of the period, in order, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && days.length <= MAX_REPORT_DAYS; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The sales report's category of a line whose product had none (or whose event did not say). */
export const UNCATEGORISED = 'uncategorised';

/**
 * The columns of each kind's rows, in file order; money is integer minor units as a string. A sales
 * row's `category` is the name of its `categoryId` as last known (see categoryName).
 */
export const REPORT_COLUMNS: Record<ReportKind, readonly string[]> = {
  sales: ['day', 'currency', 'categoryId', 'category', 'productId', 'orders', 'units', 'revenueMinor'],
  finance: ['day', 'currency', 'kind', 'count', 'amountMinor'],
  customers: ['day', 'activeCustomers', 'newCustomers', 'orders'],
  /** Repairs after incidents per owner and kind; `subjects`: what was repaired (ids, space-separated). */
  repairs: ['day', 'service', 'kind', 'count', 'subjects'],
};

export type ReportRow = Record<string, string | number>;

/**
 * The name a sales report shows for a category id: its last known name (`names`, from the latest line
 * that told one). A category no line named (lines from before names were told) shows its id, not a
 * placeholder: the id is unique, so two such categories stay apart in a sheet sorted or pivoted by
 * name, and a person can look it up in the catalog; a word like "unnamed" would merge them and read
 * as if the category had no name.
 */
export function categoryName(categoryId: string, names: ReadonlyMap<string, string>): string {
  if (categoryId === UNCATEGORISED) return UNCATEGORISED;
  return names.get(categoryId) ?? categoryId;
}

/** Sales rows with their category's name beside its id, laid out in the report's column order. */
export function withCategoryNames(
  rows: readonly ReportRow[],
  names: ReadonlyMap<string, string>,
): ReportRow[] {
  return rows.map((row) => {
    const named: ReportRow = { ...row, category: categoryName(String(row.categoryId), names) };
    return Object.fromEntries(REPORT_COLUMNS.sales.map((column) => [column, named[column]!]));
  });
}

/**
 * The sales report's units and revenue per currency and category, keyed by the catalog's category id
 * (names change), each with the name its rows show.
 */
export function salesByCategory(
  rows: readonly ReportRow[],
): Record<string, Record<string, { category: string; units: string; revenueMinor: string }>> {
  const sums = new Map<string, Map<string, { category: string; units: bigint; revenue: bigint }>>();
  for (const row of rows) {
    const currency =
      sums.get(String(row.currency)) ??
      new Map<string, { category: string; units: bigint; revenue: bigint }>();
    const id = String(row.categoryId);
    const category = currency.get(id) ?? { category: String(row.category ?? id), units: 0n, revenue: 0n };
    category.units += BigInt(row.units!);
    category.revenue += BigInt(row.revenueMinor!);
    currency.set(id, category);
    sums.set(String(row.currency), currency);
  }
  const sorted = <V>(map: Map<string, V>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(
    sorted(sums).map(([currency, categories]) => [
      currency,
      Object.fromEntries(
        sorted(categories).map(([id, s]) => [
          id,
          { category: s.category, units: s.units.toString(), revenueMinor: s.revenue.toString() },
        ]),
      ),
    ]),
  );
}

/**
 * A finance row that is a balance at the end of its day, not a movement during it: its total is the
 * period's last day's value (none that day: none outstanding), not a sum over days.
 */
export const HOLDS_OUTSTANDING = 'holds_outstanding';

/**
 * Per-currency totals of the money columns, summed as BigInt (never floating point); `lastDay` is the
 * period's end, whose holds outstanding are the period's.
 */
export function totalsOf(
  kind: ReportKind,
  rows: readonly ReportRow[],
  lastDay: string,
): Record<string, Record<string, string>> {
  const totals = new Map<string, Map<string, bigint>>();
  const add = (group: string, key: string, value: bigint) => {
    const g = totals.get(group) ?? new Map<string, bigint>();
    g.set(key, (g.get(key) ?? 0n) + value);
    totals.set(group, g);
  };
  for (const row of rows) {
    if (kind === 'sales') {
      add(String(row.currency), 'units', BigInt(row.units!));
      add(String(row.currency), 'revenueMinor', BigInt(row.revenueMinor!));
    } else if (kind === 'finance') {
      if (row.kind === HOLDS_OUTSTANDING && row.day !== lastDay) continue;
      add(String(row.currency), `${row.kind}Count`, BigInt(row.count!));
      add(String(row.currency), `${row.kind}Minor`, BigInt(row.amountMinor!));
    } else if (kind === 'repairs') {
      add(String(row.service), String(row.kind), BigInt(row.count!));
    } else {
      add('all', 'orders', BigInt(row.orders!));
      add('all', 'newCustomers', BigInt(row.newCustomers!));
    }
  }
  return Object.fromEntries(
    [...totals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, values]) => [
        group,
        Object.fromEntries(
          [...values.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.toString()]),
        ),
      ]),
  );
}
