// Chargebacks. A cardholder disputes a top-up with their bank; the provider takes the money back from
// the platform at once (dispute opened) and returns it if the platform wins the dispute, or keeps it
// if the platform loses. The ledger follows the money both ways:
// - opened: clearing is credited with the disputed amount (the money went back out), paid by the
//   customer as far as their available funds go and by the chargeback account (the platform's loss,
//   an overdraft account) for the rest;
// - won: clearing pays it back to whoever paid it, in the same split;
// - lost: nothing more moves; what the chargeback account paid stays the platform's loss.
import type { Leg } from './movement.js';

export type DisputeStatus = 'opening' | 'open' | 'won' | 'lost';

export interface DisputeSplit {
  fromCustomer: bigint;
  fromPlatform: bigint;
}

export interface DisputeAccounts {
  customer: string;
  chargebacks: string;
  clearing: string;
}

export function splitDispute(amount: bigint, customerAvailable: bigint): DisputeSplit {
  const fromCustomer = customerAvailable <= 0n ? 0n : customerAvailable < amount ? customerAvailable : amount;
  return { fromCustomer, fromPlatform: amount - fromCustomer };
}

/** The customer's debit (the only leg that can be declined) comes first; zero legs are left out. */
export function disputeOpenedLegs(accounts: DisputeAccounts, split: DisputeSplit): Leg[] {
  const legs: Leg[] = [
    { accountId: accounts.customer, amount: -split.fromCustomer },
    { accountId: accounts.chargebacks, amount: -split.fromPlatform },
    { accountId: accounts.clearing, amount: split.fromCustomer + split.fromPlatform },
  ];
  return legs.filter((leg) => leg.amount !== 0n);
}

/** The mirror image: clearing (overdraft, never declined) pays back both payers. */
export function disputeWonLegs(accounts: DisputeAccounts, split: DisputeSplit): Leg[] {
  const legs: Leg[] = [
    { accountId: accounts.clearing, amount: -(split.fromCustomer + split.fromPlatform) },
    { accountId: accounts.customer, amount: split.fromCustomer },
    { accountId: accounts.chargebacks, amount: split.fromPlatform },
  ];
  return legs.filter((leg) => leg.amount !== 0n);
}

/** Which transitions a provider event may make; anything else (a replay, a late event) changes nothing. */
export function nextDisputeStatus(current: DisputeStatus, event: 'won' | 'lost'): 'won' | 'lost' | undefined {
  return current === 'open' ? event : undefined;
}
