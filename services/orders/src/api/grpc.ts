// shop.orders.v1.OrdersService: read-only views for support tools (grpcurl) and other services.
// Internal only (gRPC port with mutual TLS, never routed by the edge): it answers for any user id
// it is given, to the services ordersGrpcCallers names.
import { decodeCursor, type GrpcCallers, parseInput } from '@shopstack/kit';
import {
  type Order as OrderMessage,
  OrderStatus,
  type OrdersServiceDefinition,
  type OrdersServiceImplementation,
} from '@shopstack/proto/shop/orders/v1/orders';
import { z } from 'zod';
import { OrderPosition } from '../adapters/order-views.js';
import type { SagaRepairRecord } from '../adapters/saga-repairs-repository.js';
import type { OrdersDeps } from '../app/deps.js';
import { forceCancelSaga, retrySaga, type SagaRepairCommand } from '../app/saga-repairs.js';
import { inspectOrder, orderHistory, ordersOfCustomer, overdueSagas } from '../app/support-queries.js';
import type { OrderView } from '../app/views.js';

const statusToProto: Record<OrderView['status'], OrderStatus> = {
  pending: OrderStatus.ORDER_STATUS_PENDING,
  confirmed: OrderStatus.ORDER_STATUS_CONFIRMED,
  cancelled: OrderStatus.ORDER_STATUS_CANCELLED,
  refunded: OrderStatus.ORDER_STATUS_REFUNDED,
  payment_failed: OrderStatus.ORDER_STATUS_PAYMENT_FAILED,
};

const getOrderInput = z.object({
  orderId: z.uuid(),
  asOf: z.union([z.literal(''), z.iso.datetime({ offset: true })]),
});
const listInput = z.object({
  userId: z.string().min(1).max(128),
  pageSize: z.number().int().min(0).max(100),
  pageToken: z.string().max(200),
});
const eventsInput = z.object({ orderId: z.uuid() });
const overdueInput = z.object({
  olderThanSeconds: z.number().int().min(1).max(604_800),
  limit: z.number().int().min(0).max(200),
});
const repairInput = z.object({
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_\-:.]{1,128}$/, '1-128 of A-Z a-z 0-9 _ - : .'),
  orderId: z.uuid(),
  actorId: z.string().min(1).max(128),
  reason: z.string().trim().min(3).max(500),
});

function repairMessage(record: SagaRepairRecord) {
  return {
    repairId: record.repairId,
    orderId: record.orderId,
    kind: record.kind,
    actorId: record.actorId,
    reason: record.reason,
    statusBefore: record.before.status,
    stepBefore: record.before.step,
    statusAfter: record.after.status,
    stepAfter: record.after.step,
    at: record.at.toISOString(),
  };
}

function toMessage(view: OrderView): OrderMessage {
  return {
    orderId: view.orderId,
    userId: view.userId,
    status: statusToProto[view.status],
    lines: view.lines.map((line) => ({ ...line, unitPriceMinor: line.unitPriceMinor })),
    totalMinor: view.totalMinor,
    currency: view.currency,
    placedAt: view.placedAt,
    updatedAt: view.updatedAt,
    confirmedAt: view.confirmedAt ?? '',
    cancelReason: view.cancelReason ?? '',
    refundedMinor: view.refundedMinor,
    version: view.version,
  };
}

/** Who may call what: the back office's views and its saga repairs. */
export const ordersGrpcCallers = {
  getOrder: ['backoffice'],
  listOrders: ['backoffice'],
  getOrderEvents: ['backoffice'],
  retrySaga: ['backoffice'],
  forceCancelSaga: ['backoffice'],
  // The back office's anomaly rule on overdue checkout sagas.
  listOverdueSagas: ['backoffice'],
} as const satisfies GrpcCallers<typeof OrdersServiceDefinition>;

export function ordersGrpcService(deps: OrdersDeps): OrdersServiceImplementation {
  return {
    async getOrder(request) {
      const input = parseInput(getOrderInput, request, 'body');
      const { view, saga } = await inspectOrder(
        deps,
        input.orderId,
        input.asOf ? new Date(input.asOf) : undefined,
      );
      return {
        order: toMessage(view),
        saga: saga && {
          step: saga.step,
          attempts: saga.attempts,
          lastError: saga.lastError ?? '',
          deadlineAt: saga.deadlineAt?.toISOString() ?? '',
        },
      };
    },
    async listOrders(request) {
      const input = parseInput(listInput, request, 'body');
      const cursor = input.pageToken ? decodeCursor(OrderPosition, input.pageToken, 'pageToken') : undefined;
      const page = await ordersOfCustomer(deps, input.userId, input.pageSize || 20, cursor);
      return { orders: page.items.map(toMessage), nextPageToken: page.nextCursor ?? '' };
    },
    async listOverdueSagas(request) {
      const input = parseInput(overdueInput, request, 'body');
      const { total, sagas } = await overdueSagas(deps, input.olderThanSeconds, input.limit || 50);
      return {
        total,
        sagas: sagas.map((saga) => ({
          orderId: saga.orderId,
          step: saga.step,
          attempts: saga.attempts,
          startedAt: saga.startedAt.toISOString(),
          deadlineAt: saga.deadlineAt?.toISOString() ?? '',
          lastError: saga.lastError ?? '',
        })),
      };
    },
    async retrySaga(request) {
      const input: SagaRepairCommand = parseInput(repairInput, request, 'body');
      return { repair: repairMessage(await retrySaga(deps, input)) };
    },
    async forceCancelSaga(request) {
      const input: SagaRepairCommand = parseInput(repairInput, request, 'body');
      return { repair: repairMessage(await forceCancelSaga(deps, input)) };
    },
    async getOrderEvents(request) {
      const { orderId } = parseInput(eventsInput, request, 'body');
      const events = await orderHistory(deps, orderId);
      return {
        events: events.map((event) => ({
          version: event.version,
          type: event.type,
          recordedAt: event.recordedAt.toISOString(),
          dataJson: JSON.stringify(event.data),
        })),
      };
    },
  };
}
