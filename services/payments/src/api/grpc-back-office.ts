// The back office's part of shop.payments.v1.PaymentsService: a customer's accounts and statements,
// ledger adjustments with four eyes, and the reconciliation on demand (for its anomaly rule).
// Internal only, like the rest of the gRPC API: the back office has checked the admin's role and
// passes the admin's user id.
import { parseInput } from '@shopstack/kit';
import {
  type Adjustment,
  AdjustmentStatus,
  type PaymentsServiceImplementation,
} from '@shopstack/proto/shop/payments/v1/payments';
import { z } from 'zod';
import type { AdjustmentDoc } from '../adapters/documents.js';
import type { BalanceView } from '../app/accounts.js';
import type { PaymentsApp } from '../app/payments.js';
import { isMovableAmount, MAX_AMOUNT, parseMinor } from '../domain/money.js';
import { accountParams, currencySchema, userIdSchema } from './http/schemas.js';

type BackOfficeMethods = Pick<
  PaymentsServiceImplementation,
  | 'listAccounts'
  | 'getStatement'
  | 'requestAdjustment'
  | 'approveAdjustment'
  | 'getAdjustment'
  | 'listAdjustments'
  | 'getReconciliation'
>;

const key = z.string().regex(/^[A-Za-z0-9_\-:.]{1,128}$/, '1-128 of A-Z a-z 0-9 _ - : .');
const adjustmentId = z.string().regex(/^adj_[0-9a-f]{32}$/, 'an adjustment id');
/** Signed: a credit or a debit, never zero. */
const signedMinor = z.string().transform((value, ctx) => {
  const amount = parseMinor(value.startsWith('-') ? value.slice(1) : value);
  if (amount === undefined || !isMovableAmount(amount)) {
    ctx.addIssue({ code: 'custom', message: `±1 to ±${MAX_AMOUNT} minor units` });
    return z.NEVER;
  }
  return value.startsWith('-') ? -amount : amount;
});

export function backOfficeGrpcMethods(app: PaymentsApp, currencies: readonly string[]): BackOfficeMethods {
  const schemas = {
    accounts: z.object({ userId: userIdSchema }),
    statement: z.object({
      accountId: accountParams.shape.accountId,
      limit: z.number().int().min(0).max(200),
      beforeSeq: z.number().int().min(0),
    }),
    request: z.object({
      idempotencyKey: key,
      requestedBy: userIdSchema,
      userId: userIdSchema,
      currency: currencySchema(currencies),
      amountMinor: signedMinor,
      reason: z.string().trim().min(3).max(500),
    }),
    approve: z.object({ adjustmentId, approvedBy: userIdSchema }),
    get: z.object({ adjustmentId }),
    list: z.object({ userId: z.union([z.literal(''), userIdSchema]) }),
  };
  const parse = <S extends z.ZodType>(schema: S, request: unknown) => parseInput(schema, request, 'body');
  return {
    async listAccounts(request) {
      const { userId } = parse(schemas.accounts, request);
      return { accounts: (await app.accounts.list(userId)).map(balanceMessage) };
    },
    async getStatement(request) {
      const input = parse(schemas.statement, request);
      const limit = input.limit || 50;
      const entries = await app.journal.page(input.accountId, input.beforeSeq || undefined, limit);
      const last = entries.at(-1);
      return {
        entries: entries.map((entry) => ({
          seq: entry.seq,
          kind: entry.kind,
          outcome: entry.outcome,
          reason: entry.reason ?? '',
          amountMinor: entry.balanceDelta.toString(),
          heldChangeMinor: entry.heldDelta.toString(),
          balanceMinor: entry.balance.toString(),
          heldMinor: entry.held.toString(),
          reference: entry.ref,
          at: entry.at.toISOString(),
        })),
        nextBeforeSeq: entries.length === limit && last ? last.seq : 0,
      };
    },
    async requestAdjustment(request) {
      const input = parse(schemas.request, request);
      const adjustment = await app.adjustments.request({ ...input, amount: input.amountMinor });
      return { adjustment: adjustmentMessage(adjustment) };
    },
    async approveAdjustment(request) {
      const input = parse(schemas.approve, request);
      return {
        adjustment: adjustmentMessage(await app.adjustments.approve(input.adjustmentId, input.approvedBy)),
      };
    },
    async getAdjustment(request) {
      const input = parse(schemas.get, request);
      return { adjustment: adjustmentMessage(await app.adjustments.get(input.adjustmentId)) };
    },
    async listAdjustments(request) {
      const input = parse(schemas.list, request);
      const adjustments = await app.adjustments.list(input.userId || undefined);
      return { adjustments: adjustments.map(adjustmentMessage) };
    },
    async getReconciliation() {
      const report = await app.reconciliation.run();
      const currencies = [
        ...new Set([...report.differenceByCurrency.keys(), ...report.imbalanceByCurrency.keys()]),
      ];
      return {
        accounts: report.accounts,
        currencies: currencies.sort().map((currency) => ({
          currency,
          differenceMinor: (report.differenceByCurrency.get(currency) ?? 0n).toString(),
          imbalanceMinor: (report.imbalanceByCurrency.get(currency) ?? 0n).toString(),
        })),
        problems: report.problems.slice(0, 100).map((p) => `${p.accountId}: ${p.problem}`),
        problemCount: report.problems.length,
      };
    },
  };
}

export function balanceMessage(view: BalanceView) {
  return {
    accountId: view.account._id,
    userId: view.account.userId,
    currency: view.account.currency,
    balanceMinor: view.balance.toString(),
    heldMinor: view.held.toString(),
    availableMinor: view.available.toString(),
  };
}

const STATUS: Record<AdjustmentDoc['status'], AdjustmentStatus> = {
  awaiting_approval: AdjustmentStatus.ADJUSTMENT_STATUS_AWAITING_APPROVAL,
  approved: AdjustmentStatus.ADJUSTMENT_STATUS_APPROVED,
  posted: AdjustmentStatus.ADJUSTMENT_STATUS_POSTED,
  declined: AdjustmentStatus.ADJUSTMENT_STATUS_DECLINED,
};

function adjustmentMessage(doc: AdjustmentDoc): Adjustment {
  return {
    adjustmentId: doc._id,
    userId: doc.userId,
    accountId: doc.accountId,
    houseAccountId: doc.houseAccountId,
    currency: doc.currency,
    amountMinor: doc.amount.toString(),
    reason: doc.reason,
    status: STATUS[doc.status],
    requestedBy: doc.requestedBy,
    approvedBy: doc.approvedBy ?? '',
    requestedAt: doc.createdAt.toISOString(),
    approvedAt: doc.approvedAt?.toISOString() ?? '',
    balanceBeforeMinor: (doc.balanceBefore ?? 0n).toString(),
    balanceAfterMinor: (doc.balanceAfter ?? 0n).toString(),
    failureReason: doc.failureReason ?? '',
  };
}
