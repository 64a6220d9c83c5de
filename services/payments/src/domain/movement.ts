// A movement moves money between accounts as a list of legs, applied in order, one journal entry each.
// Double entry: the legs of a movement sum to zero, so money is never created or destroyed.
// Only the first leg may be declined (it is the only debit of an account that cannot overdraw); every
// later leg is a credit or a debit of an overdraft account, which cannot fail. So once the first leg is
// applied, the movement is certain to complete, and recovery only has to finish it.
import { type FeeRule, feeFor } from './fees.js';

export interface Leg {
  accountId: string;
  amount: bigint;
}

export interface LegRules {
  overdraft(accountId: string): boolean;
}

export function checkLegs(legs: Leg[], rules: LegRules): void {
  if (legs.length < 2) throw new Error('a movement needs at least two legs');
  const sum = legs.reduce((total, leg) => total + leg.amount, 0n);
  if (sum !== 0n) throw new Error(`legs of a movement must sum to zero, got ${sum}`);
  legs.forEach((leg, index) => {
    if (index > 0 && leg.amount < 0n && !rules.overdraft(leg.accountId)) {
      throw new Error('only the first leg may debit an account without overdraft');
    }
  });
}

/** P2P transfer: the sender pays amount + fee; the receiver gets amount; the fee goes to revenue. */
export function transferLegs(from: string, to: string, feesAccount: string, amount: bigint, fee: FeeRule) {
  const charged = feeFor(fee, amount);
  const legs: Leg[] = [
    { accountId: from, amount: -(amount + charged) },
    { accountId: to, amount },
  ];
  if (charged > 0n) legs.push({ accountId: feesAccount, amount: charged });
  return { legs, fee: charged };
}

/** A top-up moves money from outside (the clearing account) to the user, less the top-up fee. */
export function topUpLegs(clearing: string, to: string, feesAccount: string, amount: bigint, fee: FeeRule) {
  const charged = feeFor(fee, amount);
  if (charged >= amount) return undefined;
  const legs: Leg[] = [
    { accountId: clearing, amount: -amount },
    { accountId: to, amount: amount - charged },
  ];
  if (charged > 0n) legs.push({ accountId: feesAccount, amount: charged });
  return { legs, fee: charged };
}

export function totalCredited(legs: Leg[]): bigint {
  return legs.filter((leg) => leg.amount > 0n).reduce((total, leg) => total + leg.amount, 0n);
}
