// Refunds of a captured hold draw down a per-hold "refundable" log with the same sequence guard as the
// journal, so two concurrent partial refunds can never add up to more than was captured.

export interface RefundLogState {
  seq: number;
  refunded: bigint;
}

export const EMPTY_REFUND_LOG: RefundLogState = { seq: 0, refunded: 0n };

export type RefundDecision =
  | { outcome: 'applied'; next: RefundLogState }
  | { outcome: 'declined'; reason: 'EXCEEDS_REFUNDABLE'; next: RefundLogState };

export function decideRefund(captured: bigint, state: RefundLogState, amount: bigint): RefundDecision {
  if (state.refunded + amount > captured) {
    return { outcome: 'declined', reason: 'EXCEEDS_REFUNDABLE', next: { ...state, seq: state.seq + 1 } };
  }
  return { outcome: 'applied', next: { seq: state.seq + 1, refunded: state.refunded + amount } };
}
