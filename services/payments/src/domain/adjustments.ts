// Ledger adjustments from the back office, after an incident: a credit or a debit of one customer's
// account with a reason. Money is never created: the other side of every adjustment is the house
// adjustments account of the currency (`sys_adjustments_<cur>_<shard>`, allowed below zero: its
// balance is what the shop gave away minus what it took back), so the legs sum to zero and the
// ledger's invariants hold. Four eyes: an adjustment posts only once a second, different admin
// approved it.
import type { Leg } from './movement.js';

/** Credit (amount > 0): house → customer. Debit: customer → house; only that first leg can decline. */
export function adjustmentLegs(customer: string, house: string, amount: bigint): Leg[] {
  if (amount === 0n) throw new Error('an adjustment moves money');
  return amount > 0n
    ? [
        { accountId: house, amount: -amount },
        { accountId: customer, amount },
      ]
    : [
        { accountId: customer, amount },
        { accountId: house, amount: -amount },
      ];
}

export type ApprovalRefusal = 'same-admin' | 'already-approved';

/** Why `approver` may not approve an adjustment in `status` requested by `requester`, if they may not. */
export function approvalRefusal(
  adjustment: { requestedBy: string; status: string },
  approver: string,
): ApprovalRefusal | undefined {
  if (adjustment.status !== 'awaiting_approval') return 'already-approved';
  if (adjustment.requestedBy === approver) return 'same-admin';
  return undefined;
}
