// The rules of one account's journal. Each entry carries the account's running state after it (balance
// and the sum of its active holds) and a sequence number; entry n+1 is computed from entry n only, and a
// unique (account, seq) index lets exactly one writer append n+1 (see README "Invariants").

export interface AccountState {
  seq: number;
  balance: bigint;
  held: bigint;
}

export const EMPTY_ACCOUNT: AccountState = { seq: 0, balance: 0n, held: 0n };

/** What an entry does to the account. A debit is a negative balanceDelta; a hold a positive heldDelta. */
export interface Effect {
  balanceDelta: bigint;
  heldDelta: bigint;
}

export type DeclineReason = 'INSUFFICIENT_FUNDS';

export type Decision =
  | { outcome: 'applied'; next: AccountState }
  | { outcome: 'declined'; reason: DeclineReason; next: AccountState };

export function available(state: AccountState): bigint {
  return state.balance - state.held;
}

/**
 * Decides whether an effect may be applied. Customer accounts never go below zero available funds (so
 * neither balance nor available is ever negative); an account with `overdraft` (the provider clearing
 * account, which mirrors money outside the platform) may. A declined entry is still recorded, with no
 * effect, so the decision is made once and for all.
 */
export function decide(state: AccountState, effect: Effect, overdraft: boolean): Decision {
  const next: AccountState = {
    seq: state.seq + 1,
    balance: state.balance + effect.balanceDelta,
    held: state.held + effect.heldDelta,
  };
  if (next.held < 0n) {
    // Only a bug can release more than was held; refuse loudly rather than corrupt the account.
    throw new Error(`journal invariant: held would become ${next.held}`);
  }
  const reducesAvailable = effect.balanceDelta - effect.heldDelta < 0n;
  if (!overdraft && reducesAvailable && available(next) < 0n) {
    return { outcome: 'declined', reason: 'INSUFFICIENT_FUNDS', next: { ...state, seq: state.seq + 1 } };
  }
  return { outcome: 'applied', next };
}
