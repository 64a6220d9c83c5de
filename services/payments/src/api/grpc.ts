// shop.payments.v1.PaymentsService: the checkout saga's steps (and grpcurl). Internal only: it is
// served on the gRPC port (mutual TLS), never routed by the edge, and acts for the user id it is
// given only to the services paymentsGrpcCallers names, identified by their certificates.
// Input is validated like HTTP input (kit parseInput → INVALID_ARGUMENT naming the fields).
import { type GrpcCallers, parseInput } from '@shopstack/kit';
import {
  FailureReason,
  type Hold,
  HoldStatus,
  type PaymentsServiceDefinition,
  type PaymentsServiceImplementation,
  RefundStatus,
} from '@shopstack/proto/shop/payments/v1/payments';
import { z } from 'zod';
import type { HoldDoc, RefundDoc } from '../adapters/documents.js';
import type { HoldFailure } from '../app/holds.js';
import type { PaymentsApp } from '../app/payments.js';
import { isMovableAmount, MAX_AMOUNT, parseMinor } from '../domain/money.js';
import { backOfficeGrpcMethods } from './grpc-back-office.js';
import { currencySchema, userIdSchema } from './http/schemas.js';

const key = z.string().regex(/^[A-Za-z0-9_\-:.]{1,128}$/, '1-128 of A-Z a-z 0-9 _ - : .');
const holdId = z.string().min(1).max(80);

/** int64 arrives as a decimal string; `allowZero` for "0 = the full amount". */
const minor = (allowZero: boolean) =>
  z.string().transform((value, ctx) => {
    const amount = parseMinor(value);
    if (amount === undefined || (!isMovableAmount(amount) && !(allowZero && amount === 0n))) {
      ctx.addIssue({ code: 'custom', message: `minor units from ${allowZero ? 0 : 1} to ${MAX_AMOUNT}` });
      return z.NEVER;
    }
    return amount;
  });

/**
 * Who may call what (the caller is the service its client certificate names): money moves for a
 * checkout only when orders asks; the back office reads and files its four-eyes adjustments.
 */
export const paymentsGrpcCallers = {
  authorizeHold: ['orders'],
  captureHold: ['orders'],
  voidHold: ['orders'],
  refund: ['orders'],
  getHold: ['orders', 'backoffice'],
  getBalance: ['backoffice'],
  listAccounts: ['backoffice'],
  getStatement: ['backoffice'],
  requestAdjustment: ['backoffice'],
  approveAdjustment: ['backoffice'],
  getAdjustment: ['backoffice'],
  listAdjustments: ['backoffice'],
  // The back office's anomaly rule on ledger differences.
  getReconciliation: ['backoffice'],
} as const satisfies GrpcCallers<typeof PaymentsServiceDefinition>;

export function paymentsGrpcService(
  app: PaymentsApp,
  currencies: readonly string[],
): PaymentsServiceImplementation {
  const currency = currencySchema(currencies);
  const schemas = {
    authorize: z.object({
      idempotencyKey: key,
      orderId: z.string().min(1).max(128),
      userId: userIdSchema,
      amountMinor: minor(false),
      currency,
      ttlSeconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 3600),
    }),
    capture: z.object({ idempotencyKey: key, holdId, amountMinor: minor(true) }),
    void: z.object({ idempotencyKey: key, holdId }),
    refund: z.object({ idempotencyKey: key, holdId, amountMinor: minor(false) }),
    getHold: z.object({ holdId }),
    balance: z.object({ userId: userIdSchema, currency }),
  };
  const parse = <S extends z.ZodType>(schema: S, request: unknown) => parseInput(schema, request, 'body');
  const reply = async (hold: HoldDoc, failure: HoldFailure | undefined) =>
    holdMessage(hold, failure, hold.status === 'captured' ? await app.refunds.refunded(hold._id) : 0n);

  return {
    ...backOfficeGrpcMethods(app, currencies),
    async authorizeHold(request) {
      const input = parse(schemas.authorize, request);
      const result = await app.holds.authorize({
        idempotencyKey: input.idempotencyKey,
        orderId: input.orderId,
        userId: input.userId,
        amount: input.amountMinor,
        currency: input.currency,
        ttlSeconds: input.ttlSeconds,
      });
      return { hold: await reply(result.hold, result.failure) };
    },
    async captureHold(request) {
      const input = parse(schemas.capture, request);
      const result = await app.holds.capture(input.holdId, input.amountMinor);
      return { hold: await reply(result.hold, result.failure) };
    },
    async voidHold(request) {
      const input = parse(schemas.void, request);
      const result = await app.holds.void(input.holdId);
      return { hold: await reply(result.hold, result.failure) };
    },
    async refund(request) {
      const input = parse(schemas.refund, request);
      const refund = await app.refunds.refund({
        idempotencyKey: input.idempotencyKey,
        holdId: input.holdId,
        amount: input.amountMinor,
      });
      return { refund: refundMessage(refund) };
    },
    async getHold(request) {
      const input = parse(schemas.getHold, request);
      return { hold: await reply(await app.holds.view(input.holdId), undefined) };
    },
    async getBalance(request) {
      const input = parse(schemas.balance, request);
      const view = await app.accounts.balanceByCurrency(input.userId, input.currency);
      return {
        balance: {
          accountId: view?.account._id ?? '',
          userId: input.userId,
          currency: input.currency,
          balanceMinor: (view?.balance ?? 0n).toString(),
          heldMinor: (view?.held ?? 0n).toString(),
          availableMinor: (view?.available ?? 0n).toString(),
        },
      };
    },
  };
}

const HOLD_STATUS: Record<HoldDoc['status'], HoldStatus> = {
  pending: HoldStatus.HOLD_STATUS_PENDING,
  closing: HoldStatus.HOLD_STATUS_PENDING,
  authorized: HoldStatus.HOLD_STATUS_AUTHORIZED,
  declined: HoldStatus.HOLD_STATUS_DECLINED,
  captured: HoldStatus.HOLD_STATUS_CAPTURED,
  voided: HoldStatus.HOLD_STATUS_VOIDED,
  expired: HoldStatus.HOLD_STATUS_EXPIRED,
};

const FAILURE: Record<string, FailureReason> = {
  INSUFFICIENT_FUNDS: FailureReason.FAILURE_REASON_INSUFFICIENT_FUNDS,
  NO_ACCOUNT: FailureReason.FAILURE_REASON_NO_ACCOUNT,
  HOLD_CLOSED: FailureReason.FAILURE_REASON_HOLD_CLOSED,
  HOLD_EXPIRED: FailureReason.FAILURE_REASON_HOLD_EXPIRED,
  EXCEEDS_REFUNDABLE: FailureReason.FAILURE_REASON_EXCEEDS_REFUNDABLE,
};

function failureOf(reason: string | undefined): FailureReason {
  return reason
    ? (FAILURE[reason] ?? FailureReason.FAILURE_REASON_UNSPECIFIED)
    : FailureReason.FAILURE_REASON_UNSPECIFIED;
}

function holdMessage(hold: HoldDoc, failure: HoldFailure | undefined, refunded: bigint): Hold {
  return {
    holdId: hold._id,
    orderId: hold.orderId,
    userId: hold.userId,
    accountId: hold.accountId,
    currency: hold.currency,
    amountMinor: hold.amount.toString(),
    capturedMinor: hold.captured.toString(),
    refundedMinor: refunded.toString(),
    status: HOLD_STATUS[hold.status],
    failureReason: failureOf(failure ?? (hold.status === 'declined' ? hold.failureReason : undefined)),
    expiresAt: hold.expiresAt.toISOString(),
  };
}

const REFUND_STATUS: Record<RefundDoc['status'], RefundStatus> = {
  pending: RefundStatus.REFUND_STATUS_PENDING,
  completed: RefundStatus.REFUND_STATUS_COMPLETED,
  declined: RefundStatus.REFUND_STATUS_DECLINED,
};

function refundMessage(refund: RefundDoc) {
  return {
    refundId: refund._id,
    holdId: refund.holdId,
    amountMinor: refund.amount.toString(),
    currency: refund.currency,
    status: REFUND_STATUS[refund.status],
    failureReason: failureOf(refund.failureReason),
  };
}
