// The shapes stored in MongoDB. Amounts are bigint (BSON Int64). Ids are strings chosen by the service
// (derived from idempotency keys or from user + currency), never ObjectIds, so a retry finds its document.
import type { DisputeStatus } from '../domain/disputes.js';
import type { SystemAccountKind } from '../domain/ids.js';

export interface AccountDoc {
  _id: string;
  /** The owning user, or "platform" for system accounts. */
  userId: string;
  currency: string;
  kind: 'customer' | SystemAccountKind;
  createdAt: Date;
}

export type EntryKind = 'debit' | 'credit' | 'hold_reserve' | 'hold_capture' | 'hold_void' | 'hold_expire';

export interface JournalDoc {
  /** The operation key, e.g. "mv:<movement>:0" or "hold:<hold>:close": unique, so each step happens once. */
  _id: string;
  accountId: string;
  seq: number;
  kind: EntryKind;
  outcome: 'applied' | 'declined';
  reason?: string;
  balanceDelta: bigint;
  heldDelta: bigint;
  /** Running state after this entry. */
  balance: bigint;
  held: bigint;
  /** What caused it: a movement, hold or refund id. */
  ref: string;
  /** For a capture: what the hold captured and where it goes, so recovery can finish from the entry alone. */
  capture?: {
    amount: bigint;
    settle: { accountId: string; amount: bigint }[];
    /** The customer's cashback on this capture, paid from the cashback account. */
    cashback?: { fromAccountId: string; amount: bigint };
  };
  at: Date;
}

/** A hint to the latest entry of an account (see journal-heads.ts); never the truth. */
export interface JournalHeadDoc {
  _id: string;
  seq: number;
  balance: bigint;
  held: bigint;
}

export type MovementKind = 'transfer' | 'topup' | 'refund' | 'chargeback' | 'adjustment';

export interface MovementDoc {
  _id: string;
  kind: MovementKind;
  /** The user who asked for it (the sender of a transfer), or "platform". */
  ownerId: string;
  currency: string;
  amount: bigint;
  fee: bigint;
  legs: { accountId: string; amount: bigint }[];
  status: 'pending' | 'completed' | 'declined';
  failureReason?: string;
  fingerprint: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface HoldDoc {
  _id: string;
  purpose: 'order' | 'withdrawal';
  orderId: string;
  userId: string;
  accountId: string;
  currency: string;
  amount: bigint;
  captured: bigint;
  status: 'pending' | 'authorized' | 'declined' | 'closing' | 'captured' | 'voided' | 'expired';
  failureReason?: string;
  /** Where a capture's money goes; an order's to the sales account. */
  settleTo: { accountId: string; amount?: bigint }[];
  fingerprint: string;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface RefundLogDoc {
  _id: string;
  holdId: string;
  seq: number;
  outcome: 'applied' | 'declined';
  amount: bigint;
  refunded: bigint;
  at: Date;
}

export interface RefundDoc {
  _id: string;
  holdId: string;
  /** The sales account the hold's capture went to: it pays the refund back. */
  fromAccountId: string;
  userId: string;
  accountId: string;
  currency: string;
  amount: bigint;
  status: 'pending' | 'completed' | 'declined';
  failureReason?: string;
  fingerprint: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderPaymentDoc {
  _id: string;
  kind: 'topup' | 'withdrawal';
  provider: string;
  userId: string;
  accountId: string;
  currency: string;
  amount: bigint;
  fee: bigint;
  source: string;
  status: 'created' | 'submitted' | 'succeeded' | 'declined' | 'timed_out' | 'completed';
  failureReason?: string;
  /** The movement (top-up) or hold (withdrawal) that carries the money. */
  moneyRef: string;
  fingerprint: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A chargeback of a top-up: opened (the provider took the money back), then won or lost. */
export interface DisputeDoc {
  _id: string;
  /** The provider's id of the dispute. */
  disputeId: string;
  paymentId: string;
  userId: string;
  accountId: string;
  currency: string;
  amount: bigint;
  status: DisputeStatus;
  /** Which try of the opening movement is current (a try whose customer debit lost a race is redone). */
  attempt: number;
  fingerprint: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A ledger adjustment from the back office: requested by one admin, posted (as a movement under the
 * same id) once a second, different admin approved it. The approval is its own document whose _id is
 * the adjustment's, so of two racing approvals exactly one insert wins (FerretDB updates are not).
 */
export interface AdjustmentDoc {
  _id: string;
  userId: string;
  accountId: string;
  houseAccountId: string;
  currency: string;
  /** Signed: > 0 credits the customer. */
  amount: bigint;
  reason: string;
  requestedBy: string;
  status: 'awaiting_approval' | 'approved' | 'posted' | 'declined';
  approvedBy?: string;
  approvedAt?: Date;
  /** The customer's balance around the posting entry, taken from that entry. */
  balanceBefore?: bigint;
  balanceAfter?: bigint;
  failureReason?: string;
  fingerprint: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdjustmentApprovalDoc {
  /** The adjustment's id. */
  _id: string;
  approvedBy: string;
  at: Date;
}
