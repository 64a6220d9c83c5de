// The back office's saga repairs over the real gRPC API, on a real shop (catalog, payments, RabbitMQ):
// a saga stuck waiting for the catalog is retried and then force-cancelled, and its stock comes back;
// a saga stuck retrying payments is force-cancelled and its hold never outlives the order; a finished,
// paid order is force-cancelled into a refund. Each repair is recorded once (who, why, before and
// after) with its repair.recorded event in the outbox, and a repeat under its key changes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testGrpcChannel, waitFor } from '@shopstack/kit/testing';
import { repairRecorded } from '@shopstack/proto/messages';
import { OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { type Channel, ClientError, createClient, Status } from 'nice-grpc';
import { customer, sagaStep } from '../support/orders-api.js';
import { addProduct, balanceOf, fund, holdsOf, type Shop, startShop, stockOf } from '../support/shop.js';

describe('saga repairs from the back office', function () {
  this.timeout(120_000);
  let shop: Shop;
  let channel: Channel;
  let orders: ReturnType<typeof createClient<typeof OrdersServiceDefinition>>;
  const admin = randomUUID();

  before(async () => {
    // Long step deadlines: a stuck saga stays stuck until someone repairs it.
    shop = await startShop({
      RESERVE_STOCK_TIMEOUT_MS: '90000',
      HOLD_FUNDS_TIMEOUT_MS: '90000',
      GRPC_DEADLINE_MS: '500',
      BREAKER_RESET_MS: '500',
    });
    channel = await testGrpcChannel(shop.orders!.grpcAddress!, 'backoffice');
    orders = createClient(OrdersServiceDefinition, channel);
  });
  after(async () => {
    channel?.close();
    await shop?.close();
  });

  const repairOf = (orderId: string, reason: string, idempotencyKey = randomUUID()) => ({
    idempotencyKey,
    orderId,
    actorId: admin,
    reason,
  });
  // A repair is refused while a worker runs the saga's step (it lets go within the call deadline);
  // the admin tries again, as the refusal says.
  const onceIdle = <T>(repair: () => Promise<T>) =>
    waitFor(
      () =>
        repair().catch((e: unknown) => {
          if (e instanceof ClientError && /running the step/.test(e.details)) return undefined;
          throw e;
        }),
      { timeoutMs: 30_000, what: 'the repair accepted once no step is in flight' },
    );
  const recorded = async (orderId: string) => {
    const { rows } = await shop.ordersPool.query<{
      kind: string;
      actor_id: string;
      before: unknown;
      after: unknown;
    }>('select kind, actor_id, before, after from saga_repairs where order_id = $1 order by at', [orderId]);
    return rows;
  };
  const published = async (orderId: string) => {
    const { rows } = await shop.ordersPool.query<{ payload: unknown }>(
      `select payload from kit_outbox where message_type = $1 and payload->>'subjectId' = $2`,
      [repairRecorded.type, orderId],
    );
    return rows.map((row) => repairRecorded.parse(row.payload));
  };

  it('retries and then force-cancels a saga stuck waiting for the catalog; the stock comes back', async () => {
    const lamp = await addProduct(shop, { priceMinor: 300, stock: 4 });
    const ivy = customer(shop, randomUUID());
    await fund(shop, ivy.userId, 1_000n);
    await ivy.addToCart(lamp, 1);
    await shop.stopStockConsumer();
    const { orderId } = await ivy.checkout();
    assert.equal(await sagaStep(shop, orderId), 'reserve_stock');

    const retried = await onceIdle(() =>
      orders.retrySaga(repairOf(orderId, 'catalog queue stalled at 03:12')),
    );
    assert.deepEqual(
      [retried.repair?.kind, retried.repair?.stepBefore, retried.repair?.stepAfter],
      ['saga_retry', 'reserve_stock', 'reserve_stock'],
    );

    const key = randomUUID();
    const cancel = repairOf(orderId, 'catalog lost the reservation command', key);
    const { repair } = await onceIdle(() => orders.forceCancelSaga(cancel));
    assert.deepEqual(
      [repair?.statusBefore, repair?.stepBefore, repair?.statusAfter, repair?.stepAfter],
      ['pending', 'reserve_stock', 'cancelled', 'done'],
    );
    // The same key again: the first repair, nothing new; the key for another repair is refused.
    assert.equal((await orders.forceCancelSaga(cancel)).repair?.repairId, repair?.repairId);
    await assert.rejects(
      orders.retrySaga({ ...cancel }),
      (e: unknown) => e instanceof ClientError && e.code === Status.ALREADY_EXISTS,
    );
    // A finished, unpaid saga has nothing left to retry or cancel.
    await assert.rejects(
      orders.retrySaga(repairOf(orderId, 'again')),
      (e: unknown) =>
        e instanceof ClientError && e.code === Status.ALREADY_EXISTS && /finished/.test(e.details),
    );

    const order = await ivy.order(orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'cancelled_by_shop');
    assert.deepEqual(
      (await recorded(orderId)).map((r) => [r.kind, r.actor_id]),
      [
        ['saga_retry', admin],
        ['saga_force_cancel', admin],
      ],
    );
    const events = await published(orderId);
    assert.deepEqual(
      events.map((e) => [e.kind, e.service, e.reason, e.before.status, e.after.status]),
      [
        ['saga_retry', 'orders', 'catalog queue stalled at 03:12', 'pending', 'pending'],
        ['saga_force_cancel', 'orders', 'catalog lost the reservation command', 'pending', 'cancelled'],
      ],
    );

    // Compensation: the catalog comes back, reserves and releases; nothing stays reserved. (Before it
    // has read its commands nothing is reserved either, so wait for the reservation's own record.)
    await shop.startStockConsumer();
    await waitFor(
      async () => {
        const { rows } = await shop.catalog.deps.pool.query<{ status: string }>(
          'select status from stock_reservations where order_id = $1',
          [orderId],
        );
        return rows[0]?.status === 'released' && (await holdsOf(shop, orderId)).length === 0;
      },
      { timeoutMs: 30_000, what: 'the reservation released' },
    );
    assert.deepEqual(await stockOf(shop, lamp), { on_hand: 4, reserved: 0 });
  });

  it('force-cancels a saga stuck retrying payments: stock released, the hold voided once payments is back', async () => {
    const kettle = await addProduct(shop, { priceMinor: 450, stock: 2 });
    const jo = customer(shop, randomUUID());
    await fund(shop, jo.userId, 1_000n);
    await jo.addToCart(kettle, 2);
    await shop.stopPayments();
    const { orderId } = await jo.checkout();
    await waitFor(
      async () => {
        const { rows } = await shop.ordersPool.query<{ step: string; attempts: number }>(
          'select step, attempts from checkout_sagas where order_id = $1',
          [orderId],
        );
        return rows[0]?.step === 'hold_funds' && rows[0].attempts >= 1;
      },
      { timeoutMs: 30_000, what: 'the hold step failing' },
    );
    const { repair } = await onceIdle(() =>
      orders.forceCancelSaga(repairOf(orderId, 'payments outage; customer asked to cancel')),
    );
    assert.deepEqual(
      [repair?.stepBefore, repair?.statusAfter, repair?.stepAfter],
      ['hold_funds', 'cancelled', 'void_hold'],
    );
    await waitFor(async () => (await stockOf(shop, kettle)).reserved === 0, { what: 'stock released' });

    await shop.startPayments();
    await waitFor(async () => (await sagaStep(shop, orderId)) === 'done', {
      timeoutMs: 60_000,
      what: 'void done',
    });
    const holds = await holdsOf(shop, orderId);
    assert.equal(holds.length, 1, 'the void placed and voided the hold under its key');
    assert.ok(
      holds.every((hold) => hold.status === 'voided'),
      `holds: ${JSON.stringify(holds)}`,
    );
    assert.deepEqual(await balanceOf(shop, jo.userId), { balance: 1_000n, held: 0n });
    assert.equal((await jo.order(orderId)).cancelReason, 'cancelled_by_shop');
  });

  it('force-cancels a finished, paid order into a full refund', async () => {
    const mug = await addProduct(shop, { priceMinor: 250, stock: 3 });
    const kit = customer(shop, randomUUID());
    await fund(shop, kit.userId, 1_000n);
    await kit.addToCart(mug, 2);
    const { orderId } = await kit.checkout();
    await kit.settled(orderId);
    assert.deepEqual(await balanceOf(shop, kit.userId), { balance: 500n, held: 0n });

    const { repair } = await orders.forceCancelSaga(repairOf(orderId, 'order shipped to a wrong address'));
    assert.deepEqual(
      [repair?.statusBefore, repair?.stepBefore, repair?.stepAfter],
      ['confirmed', 'done', 'refund'],
    );
    await kit.reaches(orderId, 'refunded');
    assert.deepEqual(await balanceOf(shop, kit.userId), { balance: 1_000n, held: 0n });
    // Refunded: nothing is left to cancel.
    await assert.rejects(
      orders.forceCancelSaga(repairOf(orderId, 'again')),
      (e: unknown) => e instanceof ClientError && e.code === Status.ALREADY_EXISTS,
    );
  });

  it('refuses bad input with INVALID_ARGUMENT and records nothing', async () => {
    const orderId = randomUUID();
    for (const bad of [
      { ...repairOf(orderId, 'x'), reason: '' },
      { ...repairOf(orderId, 'a reason'), orderId: 'not-a-uuid' },
      { ...repairOf(orderId, 'a reason'), idempotencyKey: '' },
    ])
      await assert.rejects(
        orders.retrySaga(bad),
        (e: unknown) => e instanceof ClientError && e.code === Status.INVALID_ARGUMENT,
      );
    await assert.rejects(
      orders.forceCancelSaga(repairOf(orderId, 'no such order')),
      (e: unknown) => e instanceof ClientError && e.code === Status.NOT_FOUND,
    );
    assert.deepEqual(await recorded(orderId), []);
  });
});
