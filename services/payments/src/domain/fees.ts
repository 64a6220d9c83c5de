// The fee schedule: for each kind of movement a fixed part plus a proportional part in basis points
// (1 bp = 0.01 %), rounded up to the next minor unit so the platform never under-charges by rounding,
// then clamped to [min, max]. All arithmetic is bigint, so there is no floating point anywhere.

/** `cashback` is paid to the customer on each captured order payment, from the cashback account. */
export type FeeKind = 'transfer' | 'topup' | 'withdrawal' | 'cashback';

export interface FeeRule {
  fixed: bigint;
  basisPoints: bigint;
  min: bigint;
  /** undefined = no upper bound */
  max?: bigint;
}

export type FeeSchedule = Record<FeeKind, FeeRule>;

export const NO_FEE: FeeRule = { fixed: 0n, basisPoints: 0n, min: 0n };

export const FREE_SCHEDULE: FeeSchedule = {
  transfer: NO_FEE,
  topup: NO_FEE,
  withdrawal: NO_FEE,
  cashback: NO_FEE,
};

export function feeFor(rule: FeeRule, amount: bigint): bigint {
  const proportional = (amount * rule.basisPoints + 9_999n) / 10_000n;
  let fee = rule.fixed + proportional;
  if (fee < rule.min) fee = rule.min;
  if (rule.max !== undefined && fee > rule.max) fee = rule.max;
  return fee;
}

/** Parses the FEES_JSON configuration: {"transfer": {"fixed": "10", "basisPoints": 50, ...}, ...}. */
export function parseFeeSchedule(json: string | undefined): FeeSchedule {
  if (!json) return FREE_SCHEDULE;
  const raw = JSON.parse(json) as Record<string, Record<string, string | number | undefined>>;
  const schedule: FeeSchedule = { ...FREE_SCHEDULE };
  for (const kind of ['transfer', 'topup', 'withdrawal', 'cashback'] as const) {
    const r = raw[kind];
    if (!r) continue;
    const toBig = (v: string | number | undefined, field: string): bigint | undefined => {
      if (v === undefined) return undefined;
      const s = String(v);
      if (!/^[0-9]+$/.test(s))
        throw new Error(`fee schedule: ${kind}.${field} must be a non-negative integer`);
      return BigInt(s);
    };
    const rule: FeeRule = {
      fixed: toBig(r.fixed, 'fixed') ?? 0n,
      basisPoints: toBig(r.basisPoints, 'basisPoints') ?? 0n,
      min: toBig(r.min, 'min') ?? 0n,
    };
    const max = toBig(r.max, 'max');
    if (max !== undefined) {
      if (max < rule.min) throw new Error(`fee schedule: ${kind}.max is below ${kind}.min`);
      rule.max = max;
    }
    if (rule.basisPoints > 10_000n) throw new Error(`fee schedule: ${kind}.basisPoints exceeds 100 %`);
    schedule[kind] = rule;
  }
  return schedule;
}

/** Cashback on a captured amount: the rule's amount (rounded up like a fee), never more than was paid. */
export function cashbackFor(rule: FeeRule, captured: bigint): bigint {
  const cashback = captured > 0n ? feeFor(rule, captured) : 0n;
  return cashback < captured ? cashback : captured;
}

/** The part of a cashback a refund takes back: in proportion to the refunded share, rounded down. */
export function cashbackReturned(cashback: bigint, captured: bigint, refunded: bigint): bigint {
  return captured > 0n ? (cashback * refunded) / captured : 0n;
}
