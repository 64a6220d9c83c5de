// What the admin API shows of the owners' answers: enums as lower-case words, empty strings as null.

import { type Order, orderStatusToJSON, type Saga } from '@shopstack/proto/shop/orders/v1/orders';
import { type Adjustment, adjustmentStatusToJSON } from '@shopstack/proto/shop/payments/v1/payments';
import { roleToJSON, type User } from '@shopstack/proto/shop/users/v1/users';

/** `ROLE_ADMIN` → `admin`, `ADJUSTMENT_STATUS_AWAITING_APPROVAL` → `awaiting_approval`. */
export const enumWord = (json: string, prefix: string) => json.slice(prefix.length).toLowerCase();
const orNull = (value: string) => (value === '' ? null : value);

export function userView(user: User) {
  return {
    id: user.id,
    email: user.email,
    phone: orNull(user.phone),
    role: enumWord(roleToJSON(user.role), 'ROLE_'),
    emailVerified: user.emailVerified,
    blocked: user.blocked,
    deleted: user.deleted,
    createdAt: user.createdAt,
  };
}

export function orderView(order: Order, saga: Saga | undefined) {
  return {
    orderId: order.orderId,
    status: enumWord(orderStatusToJSON(order.status), 'ORDER_STATUS_'),
    totalMinor: order.totalMinor,
    currency: order.currency,
    lines: order.lines,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    cancelReason: orNull(order.cancelReason),
    refundedMinor: order.refundedMinor,
    saga: saga
      ? {
          step: saga.step,
          attempts: saga.attempts,
          lastError: orNull(saga.lastError),
          deadlineAt: orNull(saga.deadlineAt),
        }
      : null,
  };
}

export function adjustmentView(adjustment: Adjustment) {
  const status = enumWord(adjustmentStatusToJSON(adjustment.status), 'ADJUSTMENT_STATUS_');
  return {
    id: adjustment.adjustmentId,
    userId: adjustment.userId,
    accountId: adjustment.accountId,
    houseAccountId: adjustment.houseAccountId,
    currency: adjustment.currency,
    amountMinor: adjustment.amountMinor,
    reason: adjustment.reason,
    status,
    requestedBy: adjustment.requestedBy,
    requestedAt: adjustment.requestedAt,
    approvedBy: orNull(adjustment.approvedBy),
    approvedAt: orNull(adjustment.approvedAt),
    balanceBeforeMinor: status === 'posted' ? adjustment.balanceBeforeMinor : null,
    balanceAfterMinor: status === 'posted' ? adjustment.balanceAfterMinor : null,
    failureReason: orNull(adjustment.failureReason),
  };
}
