// Payments over gRPC, through the kit's client (deadline, retries of these IDEMPOTENT calls under the
// same key, a breaker per downstream). Idempotency keys are derived from the order, so a saga step
// that is retried, resumed after a crash or run by another replica never moves money twice.
import {
  createGrpcClient,
  type GrpcClientHandle,
  type GrpcTransport,
  type ServiceMetrics,
} from '@shopstack/kit';
import {
  FailureReason,
  type Hold,
  HoldStatus,
  PaymentsServiceDefinition,
  type Refund,
  RefundStatus,
} from '@shopstack/proto/shop/payments/v1/payments';

export type HoldOutcome =
  | { kind: 'held'; holdId: string }
  | { kind: 'declined'; reason: 'insufficient_funds' | 'payment_declined' }
  | { kind: 'closed'; holdId: string; status: 'captured' | 'voided' | 'expired' }
  | { kind: 'pending' };

export interface PaymentsPort {
  /** `renewal`: the one fresh authorization a confirmed order gets when its first hold is gone. */
  authorizeHold(input: {
    orderId: string;
    userId: string;
    amountMinor: bigint;
    currency: string;
    renewal?: boolean;
  }): Promise<HoldOutcome>;
  captureHold(orderId: string, holdId: string): Promise<HoldOutcome>;
  voidHold(orderId: string, holdId: string): Promise<HoldOutcome>;
  refund(
    orderId: string,
    holdId: string,
    amountMinor: bigint,
  ): Promise<
    { kind: 'refunded'; refundId: string } | { kind: 'pending' } | { kind: 'declined'; reason: string }
  >;
  breaker: GrpcClientHandle<typeof PaymentsServiceDefinition>['breaker'];
  close(): void;
}

export function createPaymentsClient(options: {
  address: string;
  metrics: ServiceMetrics;
  transport: GrpcTransport;
  deadlineMs: number;
  breakerResetMs: number;
  holdTtlSeconds: number;
}): PaymentsPort {
  const handle = createGrpcClient(PaymentsServiceDefinition, {
    address: options.address,
    downstream: 'payments',
    metrics: options.metrics,
    transport: options.transport,
    deadlineMs: options.deadlineMs,
    breaker: { resetTimeoutMs: options.breakerResetMs, volumeThreshold: 3 },
  });
  const { client } = handle;
  return {
    breaker: handle.breaker,
    close: handle.close,
    async authorizeHold(input) {
      const { hold } = await client.authorizeHold({
        idempotencyKey: `order:${input.orderId}:hold${input.renewal ? ':renewal' : ''}`,
        orderId: input.orderId,
        userId: input.userId,
        amountMinor: input.amountMinor.toString(),
        currency: input.currency,
        ttlSeconds: options.holdTtlSeconds,
      });
      return outcomeOf(hold);
    },
    async captureHold(orderId, holdId) {
      const { hold } = await client.captureHold({
        idempotencyKey: `order:${orderId}:capture`,
        holdId,
        amountMinor: '0',
      });
      return outcomeOf(hold);
    },
    async voidHold(orderId, holdId) {
      const { hold } = await client.voidHold({ idempotencyKey: `order:${orderId}:void`, holdId });
      return outcomeOf(hold);
    },
    async refund(orderId, holdId, amountMinor) {
      const { refund } = await client.refund({
        idempotencyKey: `order:${orderId}:refund`,
        holdId,
        amountMinor: amountMinor.toString(),
      });
      return refundOutcome(refund);
    },
  };
}

function outcomeOf(hold: Hold | undefined): HoldOutcome {
  if (!hold) throw new Error('payments answered without a hold');
  switch (hold.status) {
    case HoldStatus.HOLD_STATUS_AUTHORIZED:
      return { kind: 'held', holdId: hold.holdId };
    case HoldStatus.HOLD_STATUS_DECLINED:
      return {
        kind: 'declined',
        reason:
          hold.failureReason === FailureReason.FAILURE_REASON_INSUFFICIENT_FUNDS ||
          hold.failureReason === FailureReason.FAILURE_REASON_NO_ACCOUNT
            ? 'insufficient_funds'
            : 'payment_declined',
      };
    case HoldStatus.HOLD_STATUS_CAPTURED:
      return { kind: 'closed', holdId: hold.holdId, status: 'captured' };
    case HoldStatus.HOLD_STATUS_VOIDED:
      return { kind: 'closed', holdId: hold.holdId, status: 'voided' };
    case HoldStatus.HOLD_STATUS_EXPIRED:
      return { kind: 'closed', holdId: hold.holdId, status: 'expired' };
    default:
      return { kind: 'pending' };
  }
}

function refundOutcome(refund: Refund | undefined) {
  if (!refund) throw new Error('payments answered without a refund');
  if (refund.status === RefundStatus.REFUND_STATUS_COMPLETED)
    return { kind: 'refunded' as const, refundId: refund.refundId };
  if (refund.status === RefundStatus.REFUND_STATUS_DECLINED)
    return { kind: 'declined' as const, reason: FailureReason[refund.failureReason] ?? 'declined' };
  return { kind: 'pending' as const };
}
