// Stock through the checkout saga's gRPC calls on a real PostgreSQL: no overselling under concurrency,
// all-or-nothing reservations, idempotency per order id, release / commit in every state.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ReservationStatus, ShortageReason } from '@shopstack/proto/shop/catalog/v1/catalog';
import { ClientError, Status } from 'nice-grpc';
import { startTestCatalog, type TestCatalog } from '../support/catalog.js';
import { createProduct, stockOf, tableCounts } from '../support/fixtures.js';

async function grpcStatus(call: Promise<unknown>): Promise<Status> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ClientError) return error.code;
    throw error;
  }
  assert.fail('expected a gRPC error');
}

describe('catalog stock over gRPC', function () {
  this.timeout(60_000);
  let catalog: TestCatalog;
  let admin: string;

  before(async () => {
    catalog = await startTestCatalog();
    admin = await catalog.issuer.token(randomUUID(), 'admin');
  });

  after(async () => {
    await catalog?.stop();
  });

  it('50 concurrent reservations of 1 unit for 10 units: exactly 10 succeed, none oversold', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 10 });
    const orders = Array.from({ length: 50 }, () => randomUUID());
    const outcomes = await Promise.all(
      orders.map((orderId) =>
        catalog.grpc.reserveStock({ orderId, lines: [{ productId: product.id, quantity: 1 }] }),
      ),
    );
    const statuses = outcomes.map((o) => o.reservation?.status);
    assert.equal(statuses.filter((s) => s === ReservationStatus.RESERVATION_STATUS_RESERVED).length, 10);
    assert.equal(statuses.filter((s) => s === ReservationStatus.RESERVATION_STATUS_REJECTED).length, 40);
    for (const outcome of outcomes) {
      if (outcome.reservation?.status !== ReservationStatus.RESERVATION_STATUS_REJECTED) continue;
      assert.equal(
        outcome.reservation.shortages[0]?.reason,
        ShortageReason.SHORTAGE_REASON_INSUFFICIENT_STOCK,
      );
      assert.equal(outcome.reservation.shortages[0]?.available, 0);
    }
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 10, reserved: 10, available: 0 });
    const { rows } = await catalog.service.deps.pool.query<{ held: number }>(
      `select coalesce(sum(l.quantity), 0)::int as held from stock_reservation_lines l
         join stock_reservations r using (order_id) where r.status = 'reserved' and l.product_id = $1`,
      [product.id],
    );
    assert.equal(rows[0]?.held, 10, 'reserved lines add up to the product’s reserved units');
    const answered = await catalog.grpc.getProduct({ id: product.id });
    assert.equal(answered.product?.stockAvailable, 0);
    const metrics = await (await fetch(`${catalog.service.httpUrl}/metrics`)).text();
    assert.match(
      metrics,
      /catalog_stock_calls_total\{[^}]*operation="reserve",outcome="reserved"[^}]*\} 10\n/,
    );
    assert.match(
      metrics,
      /catalog_stock_calls_total\{[^}]*operation="reserve",outcome="rejected"[^}]*\} 40\n/,
    );

    // Committing the winners sells the units: nothing on hand, nothing reserved, never negative.
    const winners = orders.filter((_, i) => statuses[i] === ReservationStatus.RESERVATION_STATUS_RESERVED);
    await Promise.all(winners.map((orderId) => catalog.grpc.commitStock({ orderId })));
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 0, reserved: 0, available: 0 });
  });

  it('reserves all lines or none: one short line rejects the order and moves no stock', async () => {
    const plenty = await createProduct(catalog, admin, { stockOnHand: 5 });
    const scarce = await createProduct(catalog, admin, { stockOnHand: 1 });
    const orderId = randomUUID();
    const { reservation } = await catalog.grpc.reserveStock({
      orderId,
      lines: [
        { productId: plenty.id, quantity: 2 },
        { productId: scarce.id, quantity: 2 },
      ],
    });
    assert.equal(reservation?.status, ReservationStatus.RESERVATION_STATUS_REJECTED);
    assert.deepEqual(
      reservation?.shortages.map((s) => [s.productId, s.requested, s.available, s.reason]),
      [[scarce.id, 2, 1, ShortageReason.SHORTAGE_REASON_INSUFFICIENT_STOCK]],
    );
    assert.deepEqual(await stockOf(catalog, plenty.id), { onHand: 5, reserved: 0, available: 5 });
    assert.deepEqual(await stockOf(catalog, scarce.id), { onHand: 1, reserved: 0, available: 1 });
    // Repeating the rejected order gives the same answer (the decision is recorded, not re-taken).
    const again = await catalog.grpc.reserveStock({
      orderId,
      lines: [
        { productId: scarce.id, quantity: 2 },
        { productId: plenty.id, quantity: 2 },
      ],
    });
    assert.equal(again.reservation?.status, ReservationStatus.RESERVATION_STATUS_REJECTED);
  });

  it('rejects unknown and archived products with their reasons', async () => {
    const archived = await createProduct(catalog, admin, { stockOnHand: 3 });
    const archivedAnswer = await catalog.call('DELETE', `/api/catalog/products/${archived.id}`, {
      token: admin,
    });
    assert.equal(archivedAnswer.status, 204);
    const missing = randomUUID();
    const { reservation } = await catalog.grpc.reserveStock({
      orderId: randomUUID(),
      lines: [
        { productId: archived.id, quantity: 1 },
        { productId: missing, quantity: 1 },
      ],
    });
    assert.equal(reservation?.status, ReservationStatus.RESERVATION_STATUS_REJECTED);
    const reasons = new Map(reservation?.shortages.map((s) => [s.productId, s.reason]));
    assert.equal(reasons.get(archived.id), ShortageReason.SHORTAGE_REASON_NOT_PURCHASABLE);
    assert.equal(reasons.get(missing), ShortageReason.SHORTAGE_REASON_PRODUCT_NOT_FOUND);
    assert.deepEqual(await stockOf(catalog, archived.id), { onHand: 3, reserved: 0, available: 3 });
  });

  it('is idempotent per order: repeats, even concurrent ones, move stock once; other lines conflict', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 10 });
    const orderId = randomUUID();
    const lines = [{ productId: product.id, quantity: 3 }];
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => catalog.grpc.reserveStock({ orderId, lines })),
    );
    for (const answer of answers)
      assert.equal(answer.reservation?.status, ReservationStatus.RESERVATION_STATUS_RESERVED);
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 10, reserved: 3, available: 7 });

    assert.equal(
      await grpcStatus(
        catalog.grpc.reserveStock({ orderId, lines: [{ productId: product.id, quantity: 4 }] }),
      ),
      Status.ALREADY_EXISTS,
    );
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 10, reserved: 3, available: 7 });
  });

  it('release gives stock back once; commit after release and release after commit change nothing', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 10 });
    const released = randomUUID();
    const committed = randomUUID();
    for (const orderId of [released, committed])
      await catalog.grpc.reserveStock({ orderId, lines: [{ productId: product.id, quantity: 2 }] });
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 10, reserved: 4, available: 6 });

    for (let i = 0; i < 2; i++) {
      const answer = await catalog.grpc.releaseStock({ orderId: released });
      assert.equal(answer.reservation?.status, ReservationStatus.RESERVATION_STATUS_RELEASED);
      assert.deepEqual(answer.reservation?.lines, [{ productId: product.id, quantity: 2 }]);
    }
    for (let i = 0; i < 2; i++) {
      const answer = await catalog.grpc.commitStock({ orderId: committed });
      assert.equal(answer.reservation?.status, ReservationStatus.RESERVATION_STATUS_COMMITTED);
    }
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 8, reserved: 0, available: 8 });

    const lateCommit = await catalog.grpc.commitStock({ orderId: released });
    assert.equal(lateCommit.reservation?.status, ReservationStatus.RESERVATION_STATUS_RELEASED);
    const lateRelease = await catalog.grpc.releaseStock({ orderId: committed });
    assert.equal(lateRelease.reservation?.status, ReservationStatus.RESERVATION_STATUS_COMMITTED);
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 8, reserved: 0, available: 8 });
  });

  it('a release that arrives before its reserve wins: the late reserve takes no stock', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 4 });
    const orderId = randomUUID();
    const early = await catalog.grpc.releaseStock({ orderId });
    assert.equal(early.reservation?.status, ReservationStatus.RESERVATION_STATUS_RELEASED);
    const late = await catalog.grpc.reserveStock({
      orderId,
      lines: [{ productId: product.id, quantity: 4 }],
    });
    assert.equal(late.reservation?.status, ReservationStatus.RESERVATION_STATUS_RELEASED);
    assert.deepEqual(await stockOf(catalog, product.id), { onHand: 4, reserved: 0, available: 4 });
  });

  it('bad input is INVALID_ARGUMENT and changes nothing; unknown reservations are NOT_FOUND', async () => {
    const product = await createProduct(catalog, admin, { stockOnHand: 4 });
    const before = await tableCounts(catalog);
    const bad = [
      { orderId: '', lines: [{ productId: product.id, quantity: 1 }] },
      { orderId: 'has space', lines: [{ productId: product.id, quantity: 1 }] },
      { orderId: randomUUID(), lines: [] },
      { orderId: randomUUID(), lines: [{ productId: product.id, quantity: 0 }] },
      { orderId: randomUUID(), lines: [{ productId: product.id, quantity: -1 }] },
      { orderId: randomUUID(), lines: [{ productId: 'not-a-uuid', quantity: 1 }] },
      {
        orderId: randomUUID(),
        lines: [
          { productId: product.id, quantity: 1 },
          { productId: product.id, quantity: 1 },
        ],
      },
    ];
    for (const request of bad)
      assert.equal(
        await grpcStatus(catalog.grpc.reserveStock(request)),
        Status.INVALID_ARGUMENT,
        JSON.stringify(request),
      );
    assert.equal(await grpcStatus(catalog.grpc.releaseStock({ orderId: '' })), Status.INVALID_ARGUMENT);
    assert.equal(await grpcStatus(catalog.grpc.commitStock({ orderId: randomUUID() })), Status.NOT_FOUND);
    assert.deepEqual(await tableCounts(catalog), before);
  });

  it('prices products for orders: minor units as strings, currency, availability, category and its name; unknown ids left out', async () => {
    const slug = `lamps-${randomUUID().slice(0, 8)}`;
    const category = await catalog.call('POST', '/api/catalog/categories', {
      token: admin,
      body: { slug, name: 'Lamps' },
    });
    assert.equal(category.status, 201, JSON.stringify(category.body));
    const product = await createProduct(catalog, admin, {
      priceMinor: '123456789012',
      currency: 'USD',
      stockOnHand: 7,
      categoryId: category.body.id,
    });
    const loose = await createProduct(catalog, admin);
    const one = await catalog.grpc.getProduct({ id: product.id });
    assert.equal(one.product?.priceMinor, '123456789012');
    assert.equal(one.product?.currency, 'USD');
    assert.equal(one.product?.stockAvailable, 7);
    assert.equal(one.product?.purchasable, true);
    assert.equal(one.product?.categoryId, category.body.id);
    assert.equal(one.product?.categoryName, 'Lamps');
    const many = await catalog.grpc.getProducts({ ids: [product.id, randomUUID(), loose.id] });
    assert.deepEqual(
      many.products.map((p) => [p.id, p.categoryId, p.categoryName]).sort(),
      [
        [product.id, category.body.id, 'Lamps'],
        [loose.id, '', ''],
      ].sort(),
    );
    // A renamed category is answered with its name as it is now.
    const renamed = await catalog.call('PATCH', `/api/catalog/categories/${category.body.id}`, {
      token: admin,
      body: { name: 'Lighting' },
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    const after = await catalog.grpc.getProducts({ ids: [product.id] });
    assert.equal(after.products[0]?.categoryName, 'Lighting');
    assert.equal((await catalog.grpc.getProduct({ id: product.id })).product?.categoryName, 'Lighting');
    assert.equal(await grpcStatus(catalog.grpc.getProduct({ id: randomUUID() })), Status.NOT_FOUND);
    assert.equal(await grpcStatus(catalog.grpc.getProduct({ id: 'x' })), Status.INVALID_ARGUMENT);
    assert.equal(
      await grpcStatus(catalog.grpc.getProducts({ ids: Array.from({ length: 101 }, () => randomUUID()) })),
      Status.INVALID_ARGUMENT,
    );
  });
});
