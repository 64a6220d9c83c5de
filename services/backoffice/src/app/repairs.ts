// Repairs after an incident, each carried out by the owner of the data under the admin's
// Idempotency-Key; the owner records who, why, before and after (and publishes it for the reports):
// - a ledger adjustment (payments): requested by one admin, posted only when a second, different
//   admin approves it (four eyes), against the house adjustments account;
// - retry or force-cancel (with compensation) of a stuck checkout saga (orders);
// - a stock correction (catalog).
import { ask } from '../adapters/owners.js';
import type { BackofficeDeps } from './deps.js';
import { adjustmentView } from './views.js';

export interface AdjustmentRequest {
  idempotencyKey: string;
  requestedBy: string;
  userId: string;
  currency: string;
  /** Signed minor units as a decimal string: > 0 credits the customer, < 0 debits them. */
  amountMinor: string;
  reason: string;
}

export async function requestAdjustment(deps: BackofficeDeps, request: AdjustmentRequest) {
  const { adjustment } = await ask('payments', deps.owners.client('payments').requestAdjustment(request), {
    ALREADY_EXISTS: 'idempotency-key-reused',
    INVALID_ARGUMENT: 'adjustment-refused',
  });
  return adjustmentView(adjustment!);
}

export async function approveAdjustment(deps: BackofficeDeps, adjustmentId: string, approvedBy: string) {
  const { adjustment } = await ask(
    'payments',
    deps.owners.client('payments').approveAdjustment({ adjustmentId, approvedBy }),
    {
      PERMISSION_DENIED: 'four-eyes',
      ALREADY_EXISTS: 'adjustment-already-approved',
      NOT_FOUND: 'adjustment-not-found',
    },
  );
  return adjustmentView(adjustment!);
}

export async function getAdjustment(deps: BackofficeDeps, adjustmentId: string) {
  const { adjustment } = await ask(
    'payments',
    deps.owners.client('payments').getAdjustment({ adjustmentId }),
    {
      NOT_FOUND: 'adjustment-not-found',
    },
  );
  return adjustmentView(adjustment!);
}

export async function listAdjustments(deps: BackofficeDeps, userId?: string) {
  const { adjustments } = await ask(
    'payments',
    deps.owners.client('payments').listAdjustments({ userId: userId ?? '' }),
  );
  return adjustments.map(adjustmentView);
}

export const SAGA_REPAIRS = ['retry', 'force-cancel'] as const;
export type SagaRepairKind = (typeof SAGA_REPAIRS)[number];

export interface SagaRepairCommand {
  idempotencyKey: string;
  orderId: string;
  actorId: string;
  reason: string;
}

/** orders refuses what the saga's state does not allow (e.g. a cancel past its pivot) with a reason. */
export async function repairSaga(deps: BackofficeDeps, kind: SagaRepairKind, command: SagaRepairCommand) {
  const orders = deps.owners.client('orders');
  const call = kind === 'retry' ? orders.retrySaga(command) : orders.forceCancelSaga(command);
  const { repair } = await ask('orders', call, {
    ALREADY_EXISTS: 'saga-repair-refused',
    FAILED_PRECONDITION: 'saga-repair-refused',
    NOT_FOUND: 'order-not-found',
  });
  return repair!;
}

export interface StockCorrectionCommand {
  idempotencyKey: string;
  productId: string;
  onHand: number;
  actorId: string;
  reason: string;
}

export async function correctStock(deps: BackofficeDeps, command: StockCorrectionCommand) {
  const { correction } = await ask('catalog', deps.owners.client('catalog').correctStock(command), {
    ALREADY_EXISTS: 'stock-correction-refused',
    NOT_FOUND: 'product-not-found',
  });
  return correction!;
}
