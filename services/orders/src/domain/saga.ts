// The checkout saga's rules: which step follows which, what a timeout means in each step, and what
// compensation a cancelled checkout owes. The engine (app/saga-*.ts) does the I/O; this decides.
//
//   reserve_stock ──reserved──▶ hold_funds ──held (order confirmed)──▶ capture ──▶ commit_stock ──▶ done
//        │ rejected / timeout        │ declined / timeout / customer
//        ▼                           ▼
//      done (cancelled)           void_hold ──▶ done (cancelled)
//
// Steps before confirmation compensate on failure or timeout. Confirmation is the pivot: capture and
// commit_stock only move forward and are retried until they succeed (every call is idempotent).
import type { CancelReason } from './events.js';
import type { Order } from './order.js';

export type SagaStep =
  | 'reserve_stock'
  | 'hold_funds'
  | 'capture'
  | 'commit_stock'
  | 'void_hold'
  | 'refund'
  | 'done';

export interface StepTimeouts {
  reserveStockMs: number;
  holdFundsMs: number;
  /** How long to wait for the commit reply before sending the (idempotent) command again. */
  commitStockResendMs: number;
}

/** What to do when a step's deadline passes. */
export type TimeoutDecision =
  | { action: 'compensate'; reason: CancelReason }
  | { action: 'resend' }
  | { action: 'none' };

export function onTimeout(step: SagaStep): TimeoutDecision {
  switch (step) {
    case 'reserve_stock':
      return { action: 'compensate', reason: 'stock_timeout' };
    case 'hold_funds':
      return { action: 'compensate', reason: 'payment_timeout' };
    case 'commit_stock':
      return { action: 'resend' };
    default:
      return { action: 'none' };
  }
}

/** Steps a customer's cancel may interrupt: nothing has been confirmed yet. */
export function isCancellable(step: SagaStep): boolean {
  return step === 'reserve_stock' || step === 'hold_funds';
}

export interface Compensation {
  /** Send release-stock to the catalog (also when a reservation is in doubt: a late one must not stick). */
  releaseStock: boolean;
  /** Void the hold (found by its idempotency key when its id is not known yet). */
  voidHold: boolean;
}

/** What a checkout interrupted in `step` must undo. */
export function compensationFor(step: SagaStep, order: Order): Compensation {
  const reservationInDoubt = step === 'reserve_stock';
  const holdInDoubt = step === 'hold_funds';
  return {
    releaseStock: order.stockReserved || reservationInDoubt,
    voidHold: order.holdId !== undefined || holdInDoubt,
  };
}

/** Delay before retrying a failed call: exponential from 200 ms, capped at 5 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(200 * 2 ** Math.max(0, attempts - 1), 5_000);
}
