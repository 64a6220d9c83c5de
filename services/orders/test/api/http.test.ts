// The orders HTTP API: the cart priced by the real catalog, bad input answered with problem+json
// that changes nothing, customers kept apart from each other's carts and orders, and the read-only
// gRPC API (also through grpcurl).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { grpcurlTlsArgs, requireEnv, testGrpcChannel, waitFor } from '@shopstack/kit/testing';
import { OrderStatus, OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { type ClientError, createClient, Status } from 'nice-grpc';
import { customer } from '../support/orders-api.js';
import { addProduct, fund, type Shop, startShop, stockOf } from '../support/shop.js';

const PROBLEM = 'application/problem+json';

describe('orders HTTP API', function () {
  this.timeout(120_000);
  let shop: Shop;
  let product: string;
  let other: string;

  before(async () => {
    shop = await startShop();
    product = await addProduct(shop, { priceMinor: 250, stock: 50, name: 'Notebook' });
    other = await addProduct(shop, { priceMinor: 99, stock: 50, name: 'Pencil' });
  });
  after(async () => shop?.close());

  it('adds, changes and removes cart lines, priced by the catalog', async () => {
    const ivy = customer(shop, randomUUID());
    await ivy.addToCart(product, 1);
    let cart = await ivy.addToCart(product, 2);
    assert.deepEqual(
      cart.lines.map((l: { quantity: number; lineTotalMinor: string; name: string }) => [
        l.name,
        l.quantity,
        l.lineTotalMinor,
      ]),
      [['Notebook', 3, '750']],
    );
    // PUT sets the line, creating it; sent twice, the cart is the same as after once.
    const setPencils = () =>
      ivy.call('PUT', `/api/orders/cart/lines/${other}`, { body: { quantity: 4 }, key: null });
    assert.equal((await setPencils()).status, 200);
    cart = (await setPencils()).body;
    assert.deepEqual(
      cart.lines.map((l: { name: string; quantity: number }) => [l.name, l.quantity]),
      [
        ['Notebook', 3],
        ['Pencil', 4],
      ],
    );
    assert.deepEqual(cart.totals, [{ currency: 'EUR', totalMinor: '1146' }]);
    // A price change in the catalog shows at the next read: carts never keep prices.
    await shop.catalog.deps.pool.query('update products set price_minor = 300 where id = $1', [product]);
    cart = (await ivy.call('GET', '/api/orders/cart')).body;
    assert.deepEqual(cart.totals, [{ currency: 'EUR', totalMinor: '1296' }]);
    await shop.catalog.deps.pool.query('update products set price_minor = 250 where id = $1', [product]);
    cart = (await ivy.call('DELETE', `/api/orders/cart/lines/${product}`)).body;
    assert.deepEqual(
      cart.lines.map((l: { productId: string }) => l.productId),
      [other],
    );
  });

  it('answers bad input with problem+json naming the field, and changes nothing', async () => {
    const jack = customer(shop, randomUUID());
    await jack.addToCart(product, 1);
    const before = (await jack.call('GET', '/api/orders/cart')).body;
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/orders/cart/lines', { productId: 'not-a-uuid', quantity: 1 }, 'productId'],
      ['POST', '/api/orders/cart/lines', { productId: product, quantity: 0 }, 'quantity'],
      ['POST', '/api/orders/cart/lines', { productId: product, quantity: 1.5 }, 'quantity'],
      ['POST', '/api/orders/cart/lines', { productId: product, quantity: '2' }, 'quantity'],
      ['POST', '/api/orders/cart/lines', { productId: product, quantity: 1, price: 1 }, ''],
      // Valid alone, but the line already holds one: over the per-line limit.
      ['POST', '/api/orders/cart/lines', { productId: product, quantity: 1000 }, 'quantity'],
      ['PUT', `/api/orders/cart/lines/${product}`, { quantity: -3 }, 'quantity'],
      ['PUT', '/api/orders/cart/lines/nope', { quantity: 1 }, 'productId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await jack.call(method, path, { body, key: null });
      assert.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.ok(response.type.startsWith(PROBLEM));
      assert.match(response.body.type, /^https:\/\/shopstack\.dev\/problems\//);
      assert.equal(response.body.status, 400);
      assert.ok(response.body.title && response.body.detail);
      if (field)
        assert.ok(JSON.stringify(response.body.errors).includes(field), JSON.stringify(response.body));
    }
    const noKey = await jack.call('POST', '/api/orders/checkout', { key: null });
    assert.equal(noKey.status, 400);
    assert.equal(noKey.body.type, 'https://shopstack.dev/problems/idempotency-key-required');
    const badQuery = await jack.call('GET', '/api/orders?limit=0');
    assert.equal(badQuery.status, 400);
    const badCursor = await jack.call('GET', '/api/orders?cursor=garbage');
    assert.equal(badCursor.status, 400);
    const badAsOf = await jack.call('GET', `/api/orders/${randomUUID()}?asOf=yesterday`);
    assert.equal(badAsOf.status, 400);
    const unknownProduct = await jack.call('PUT', `/api/orders/cart/lines/${randomUUID()}`, {
      body: { quantity: 1 },
      key: null,
    });
    assert.equal(unknownProduct.status, 404);
    assert.equal(unknownProduct.body.type, 'https://shopstack.dev/problems/product-not-found');

    assert.deepEqual((await jack.call('GET', '/api/orders/cart')).body, before);
    assert.deepEqual((await jack.call('GET', '/api/orders')).body.items, []);
    const { rows } = await shop.ordersPool.query('select 1 from checkouts where user_id = $1', [jack.userId]);
    assert.equal(rows.length, 0);
  });

  it('refuses unknown products and empty carts without placing anything', async () => {
    const kim = customer(shop, randomUUID());
    const unknown = await kim.call('POST', '/api/orders/cart/lines', {
      body: { productId: randomUUID(), quantity: 1 },
      key: null,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.type, 'https://shopstack.dev/problems/product-not-found');
    const empty = await kim.call('POST', '/api/orders/checkout');
    assert.equal(empty.status, 409);
    assert.equal(empty.body.type, 'https://shopstack.dev/problems/cart-empty');
    assert.deepEqual((await kim.call('GET', '/api/orders')).body.items, []);
  });

  it('requires a valid token', async () => {
    const anonymous = customer(shop, randomUUID());
    const response = await anonymous.call('GET', '/api/orders/cart', { token: 'not-a-jwt' } as never);
    assert.equal(response.status, 401);
    assert.ok(response.type.startsWith(PROBLEM));
  });

  it('keeps customers out of each other’s carts and orders', async () => {
    const owner = customer(shop, randomUUID());
    const intruder = customer(shop, randomUUID());
    await fund(shop, owner.userId, 10_000n);
    await owner.addToCart(product, 1);
    const order = await owner.checkout();

    assert.deepEqual((await intruder.call('GET', '/api/orders/cart')).body.lines, [], 'carts are per user');
    const removeOthers = await intruder.call('DELETE', `/api/orders/cart/lines/${product}`);
    assert.equal(removeOthers.status, 404);
    const peek = await intruder.call('GET', `/api/orders/${order.orderId}`);
    assert.equal(peek.status, 404);
    assert.equal(peek.body.type, 'https://shopstack.dev/problems/order-not-found');
    const peekThen = await intruder.call(
      'GET',
      `/api/orders/${order.orderId}?asOf=${new Date().toISOString()}`,
    );
    assert.equal(peekThen.status, 404);
    const cancel = await intruder.call('POST', `/api/orders/${order.orderId}/cancel`, { key: null });
    assert.equal(cancel.status, 404);
    assert.deepEqual((await intruder.call('GET', '/api/orders')).body.items, []);
    // The same idempotency key from another user is another checkout, not a window onto this one.
    const settled = await owner.settled(order.orderId);
    assert.equal(settled.status, 'confirmed', 'the intruder changed nothing');
  });

  it('shows an order as it was at an earlier time', async () => {
    const lea = customer(shop, randomUUID());
    await fund(shop, lea.userId, 10_000n);
    await lea.addToCart(other, 1);
    const placed = await lea.checkout();
    const confirmed = await lea.settled(placed.orderId);
    const atPlacement = (await lea.call('GET', `/api/orders/${placed.orderId}?asOf=${placed.placedAt}`)).body;
    assert.equal(atPlacement.status, 'pending');
    assert.equal(atPlacement.progress.stockReserved, false);
    assert.equal(atPlacement.version, 1);
    assert.equal(confirmed.version > 1, true);
    const before = await lea.call('GET', `/api/orders/${placed.orderId}?asOf=2000-01-01T00:00:00Z`);
    assert.equal(before.status, 404);
    assert.equal(before.body.type, 'https://shopstack.dev/problems/order-not-yet-placed');
  });

  it('lets a customer cancel an order that is not confirmed yet', async () => {
    const max = customer(shop, randomUUID());
    await fund(shop, max.userId, 10_000n);
    await max.addToCart(product, 2);
    await shop.stopStockConsumer(); // the checkout waits at the catalog
    const placed = await max.checkout();
    const cancel = await max.call('POST', `/api/orders/${placed.orderId}/cancel`, { key: null });
    assert.equal(cancel.status, 202);
    assert.equal(cancel.body.status, 'cancelled');
    assert.equal(cancel.body.cancelReason, 'cancelled_by_customer');
    const stockBefore = await stockOf(shop, product);
    await shop.startStockConsumer();
    await waitFor(
      async () => {
        const { rows } = await shop.catalog.deps.pool.query(
          'select status from stock_reservations where order_id = $1',
          [placed.orderId],
        );
        return rows[0]?.status === 'released';
      },
      { what: 'reservation released' },
    );
    assert.deepEqual(await stockOf(shop, product), stockBefore);
    assert.equal((await max.order(placed.orderId)).status, 'cancelled');
  });

  it("serves orders read-only over gRPC: now, as of a time, a user's list, the event stream", async () => {
    const nia = customer(shop, randomUUID());
    await fund(shop, nia.userId, 10_000n);
    await nia.addToCart(other, 2);
    const placed = await nia.checkout();
    await nia.settled(placed.orderId);
    const channel = await testGrpcChannel(shop.orders!.grpcAddress!, 'backoffice');
    const client = createClient(OrdersServiceDefinition, channel);
    try {
      const now = await client.getOrder({ orderId: placed.orderId });
      assert.equal(now.order?.status, OrderStatus.ORDER_STATUS_CONFIRMED);
      assert.equal(now.order?.totalMinor, '198');
      assert.equal(now.saga?.step, 'done');
      const then = await client.getOrder({ orderId: placed.orderId, asOf: placed.placedAt });
      assert.equal(then.order?.status, OrderStatus.ORDER_STATUS_PENDING);
      const list = await client.listOrders({ userId: nia.userId, pageSize: 10 });
      assert.deepEqual(
        list.orders.map((o) => o.orderId),
        [placed.orderId],
      );
      const { events } = await client.getOrderEvents({ orderId: placed.orderId });
      assert.deepEqual(
        events.map((e) => e.type),
        [
          'order.placed',
          'order.stock-reserved',
          'order.payment-held',
          'order.confirmed',
          'order.payment-captured',
          'order.stock-committed',
        ],
      );
      await assert.rejects(
        client.getOrder({ orderId: 'nope' }),
        (e: ClientError) => e.code === Status.INVALID_ARGUMENT,
      );
      await assert.rejects(
        client.getOrder({ orderId: randomUUID() }),
        (e: ClientError) => e.code === Status.NOT_FOUND,
      );
      await assert.rejects(
        client.listOrders({ userId: nia.userId, pageToken: 'junk' }),
        (e: ClientError) => e.code === Status.INVALID_ARGUMENT,
      );
    } finally {
      channel.close();
    }
  });

  it('answers grpcurl as a person would call it: list, describe, GetOrder, health', async () => {
    const ola = customer(shop, randomUUID());
    await fund(shop, ola.userId, 10_000n);
    await ola.addToCart(product, 1);
    const placed = await ola.checkout();
    await ola.settled(placed.orderId);
    const address = shop.orders!.grpcAddress!;
    const grpcurl = (...args: string[]) =>
      promisify(execFile)(requireEnv('GRPCURL_BIN'), [...grpcurlTlsArgs('backoffice'), ...args], {
        timeout: 20_000,
      });

    const listed = (await grpcurl(address, 'list')).stdout.trim().split('\n');
    assert.ok(listed.includes('shop.orders.v1.OrdersService'), listed.join(', '));
    assert.match((await grpcurl(address, 'describe', 'shop.orders.v1.OrdersService')).stdout, /rpc GetOrder/);
    const got = JSON.parse(
      (
        await grpcurl(
          '-d',
          JSON.stringify({ orderId: placed.orderId }),
          address,
          'shop.orders.v1.OrdersService/GetOrder',
        )
      ).stdout,
    );
    assert.equal(got.order.orderId, placed.orderId);
    assert.equal(got.order.status, 'ORDER_STATUS_CONFIRMED');
    assert.equal(got.order.totalMinor, '250');
    const missing = await grpcurl(
      '-d',
      JSON.stringify({ orderId: randomUUID() }),
      address,
      'shop.orders.v1.OrdersService/GetOrder',
    ).catch((error: { stdout: string; stderr: string }) => error);
    assert.match(`${missing.stdout}${missing.stderr}`, /NotFound/);
    const health = JSON.parse((await grpcurl(address, 'grpc.health.v1.Health/Check')).stdout);
    assert.equal(health.status, 'SERVING');
  });
});
