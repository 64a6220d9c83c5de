// shop.orders.v1.OrdersService: read-only views for support tools (grpcurl) and other services.
// Internal only (gRPC port, never routed by the edge), so it answers for any user id it is given.
import { AppError, parseInput } from '@shopstack/kit';
import {
  type Order as OrderMessage,
  OrderStatus,
  type OrdersServiceImplementation,
} from '@shopstack/proto/shop/orders/v1/orders';
import { z } from 'zod';
import { readStream } from '../adapters/event-store.js';
import { loadOrder } from '../adapters/order-repository.js';
import { findOrderView, listOrderViews } from '../adapters/order-views.js';
import { findSagaStatus } from '../adapters/saga-store.js';
import type { OrdersDeps } from '../app/deps.js';
import { type OrderView, toOrderView } from '../app/views.js';

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

const notFound = (orderId: string) => new AppError('not_found', 'order-not-found', `No order ${orderId}`);

export function ordersGrpcService(deps: OrdersDeps): OrdersServiceImplementation {
  return {
    async getOrder(request) {
      const input = parseInput(getOrderInput, request, 'body');
      if (input.asOf) {
        const then = await loadOrder(deps.pool, input.orderId, new Date(input.asOf));
        if (!then) throw notFound(input.orderId);
        return { order: toMessage(toOrderView(then)), saga: undefined };
      }
      const view = await findOrderView(deps.pool, input.orderId);
      if (!view) throw notFound(input.orderId);
      const saga = await findSagaStatus(deps.pool, input.orderId);
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
      const page = await listOrderViews(deps.pool, input.userId, {
        limit: input.pageSize || 20,
        cursor: input.pageToken ? decodeToken(input.pageToken) : undefined,
      });
      return { orders: page.items.map(toMessage), nextPageToken: page.nextCursor ?? '' };
    },
    async getOrderEvents(request) {
      const { orderId } = parseInput(eventsInput, request, 'body');
      const events = await readStream(deps.pool, orderId);
      if (events.length === 0) throw notFound(orderId);
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

function decodeToken(token: string): { placedAt: string; orderId: string } {
  try {
    return z
      .object({ placedAt: z.iso.datetime(), orderId: z.uuid() })
      .parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('invalid', 'validation', 'page_token is not a token from a previous page', {
      fields: [{ field: 'pageToken', message: 'a next_page_token from a previous page' }],
    });
  }
}
