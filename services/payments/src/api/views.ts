// What clients see. Amounts leave as decimal strings (JSON numbers cannot carry every int64 exactly).
import type {
  AccountDoc,
  HoldDoc,
  JournalDoc,
  MovementDoc,
  ProviderPaymentDoc,
} from '../adapters/documents.js';
import type { BalanceView } from '../app/accounts.js';

export function accountView(view: BalanceView) {
  return {
    id: view.account._id,
    currency: view.account.currency,
    balance: view.balance.toString(),
    held: view.held.toString(),
    available: view.available.toString(),
  };
}

export function openedAccountView(account: AccountDoc) {
  return { id: account._id, currency: account.currency };
}

export function entryView(entry: JournalDoc) {
  return {
    seq: entry.seq,
    kind: entry.kind,
    outcome: entry.outcome,
    ...(entry.reason ? { reason: entry.reason } : {}),
    amount: entry.balanceDelta.toString(),
    heldChange: entry.heldDelta.toString(),
    balance: entry.balance.toString(),
    held: entry.held.toString(),
    reference: entry.ref,
    at: entry.at.toISOString(),
  };
}

export function transferView(movement: MovementDoc) {
  return {
    id: movement._id,
    status: movement.status,
    ...(movement.failureReason ? { failureReason: movement.failureReason } : {}),
    currency: movement.currency,
    amount: movement.amount.toString(),
    fee: movement.fee.toString(),
    createdAt: movement.createdAt.toISOString(),
  };
}

export function providerPaymentView(payment: ProviderPaymentDoc) {
  return {
    id: payment._id,
    kind: payment.kind,
    status: payment.status,
    ...(payment.failureReason ? { failureReason: payment.failureReason } : {}),
    currency: payment.currency,
    amount: payment.amount.toString(),
    fee: payment.fee.toString(),
    createdAt: payment.createdAt.toISOString(),
  };
}

export function holdStatusView(hold: HoldDoc) {
  return hold.status === 'closing' ? 'pending' : hold.status;
}
