// /api/orders: checkout, my orders, one order (now or as it was at a time), cancel.
import type { HttpRoutes } from '@shopstack/kit';
import { checkout } from '../../app/checkout.js';
import type { OrdersDeps } from '../../app/deps.js';
import { cancelByCustomer, getOrder, listOrders, listOrdersNeedingAttention } from '../../app/orders.js';
import { attentionQuery, detailQuery, listQuery, orderParams } from './schemas.js';

export function orderRoutes(routes: HttpRoutes, deps: OrdersDeps): void {
  routes.post(
    '/api/orders/checkout',
    {
      summary: 'Check out my cart (Idempotency-Key header): places the order and starts its checkout',
      tags: ['orders'],
      auth: true,
      idempotencyKey: true,
      responses: {
        202: { description: 'Order placed; poll it until confirmed or cancelled' },
        200: { description: 'Replay of an earlier checkout with the same key' },
        409: { description: 'Empty cart or a product that cannot be bought' },
      },
    },
    async ({ user, idempotencyKey }) => {
      const result = await checkout(deps, user.id, idempotencyKey);
      return {
        status: result.created ? 202 : 200,
        body: result.order,
        headers: { location: `/api/orders/${result.order.orderId}` },
      };
    },
  );
  routes.get(
    '/api/orders',
    {
      summary: 'My orders, newest first (cursor pagination)',
      tags: ['orders'],
      auth: true,
      query: listQuery,
      responses: { 200: { description: 'A page of orders' } },
    },
    async ({ user, query }) => ({ body: await listOrders(deps, user.id, query.limit, query.cursor) }),
  );
  routes.get(
    '/api/orders/attention',
    {
      summary: 'Orders needing a person (operators): confirmed, but the payment failed; oldest first',
      tags: ['orders'],
      auth: ['admin'],
      query: attentionQuery,
      responses: { 200: { description: 'Orders in payment_failed' }, 403: { description: 'Not an admin' } },
    },
    async ({ query }) => ({ body: { items: await listOrdersNeedingAttention(deps, query.limit) } }),
  );
  routes.get(
    '/api/orders/:orderId',
    {
      summary: 'One of my orders; with asOf, as it was at that time (rebuilt from its events)',
      tags: ['orders'],
      auth: true,
      params: orderParams,
      query: detailQuery,
      responses: { 200: { description: 'The order' }, 404: { description: 'No such order of yours' } },
    },
    async ({ user, params, query }) => ({
      body: await getOrder(deps, user.id, params.orderId, query.asOf ? new Date(query.asOf) : undefined),
    }),
  );
  routes.post(
    '/api/orders/:orderId/cancel',
    {
      summary: 'Cancel my order: compensated before confirmation, refunded after',
      tags: ['orders'],
      auth: true,
      params: orderParams,
      responses: {
        202: { description: 'Cancelled, or refund under way' },
        404: { description: 'No such order of yours' },
        409: { description: 'Being confirmed right now; retry shortly' },
      },
    },
    async ({ user, params }) => ({
      status: 202,
      body: await cancelByCustomer(deps, user.id, params.orderId),
    }),
  );
}
