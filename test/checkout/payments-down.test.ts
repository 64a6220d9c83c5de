// Checkout end to end while payments is down, with every service a real process: the orders
// service's payments breaker opens, the hold step times out, the saga compensates (stock released,
// order cancelled) and, once payments is back on its address, makes sure no hold is left.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testGrpcChannel, waitFor } from '@shopstack/kit/testing';
import { OrdersServiceDefinition } from '@shopstack/proto/shop/orders/v1/orders';
import { createClient } from 'nice-grpc';
import {
  balance,
  createProduct,
  type RunningShop,
  settled,
  signUp,
  startShopProcesses,
  stock,
  topUp,
} from './support/shop.js';

describe('checkout end to end with payments down', function () {
  this.timeout(180_000);
  let shop: RunningShop;

  before(async () => {
    shop = await startShopProcesses({
      ordersEnv: { HOLD_FUNDS_TIMEOUT_MS: '3000', GRPC_DEADLINE_MS: '500', BREAKER_RESET_MS: '1000' },
    });
  });
  after(async () => shop?.stop());

  it('opens the breaker, compensates on timeout, and voids once payments is back', async () => {
    const admin = await signUp(shop, 'admin');
    const radio = await createProduct(shop, admin, 3_000, 4);
    const olga = await signUp(shop);
    await topUp(shop, olga, 5_000);
    const added = await olga.call('POST', `${shop.orders.httpUrl}/api/orders/cart/lines`, {
      productId: radio,
      quantity: 1,
    });
    assert.equal(added.status, 200);

    const startPaymentsAgain = await shop.stopPayments();
    const placed = await olga.call('POST', `${shop.orders.httpUrl}/api/orders/checkout`, undefined, {
      'idempotency-key': randomUUID(),
    });
    assert.equal(placed.status, 202);
    await waitFor(async () => (await breakerState(shop)) === 2, {
      timeoutMs: 20_000,
      what: 'the payments breaker open',
    });
    const order = await settled(shop, olga, placed.body.orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'payment_timeout');
    await waitFor(async () => (await stock(shop, radio)).reserved === 0, { what: 'stock released' });
    assert.deepEqual(await stock(shop, radio), { onHand: 4, reserved: 0, available: 4 });

    // Support sees the saga waiting to void, with why, over the orders gRPC API.
    const channel = await testGrpcChannel(shop.orders.grpcAddress!, 'backoffice');
    const orders = createClient(OrdersServiceDefinition, channel);
    try {
      const waiting = await waitFor(
        async () => {
          const { saga } = await orders.getOrder({ orderId: order.orderId });
          return saga?.lastError ? saga : undefined;
        },
        { what: 'a failed void attempt' },
      ).catch(async (error) => {
        throw new Error(
          `${error.message}: ${JSON.stringify(await orders.getOrder({ orderId: order.orderId }))}`,
        );
      });
      assert.equal(waiting.step, 'void_hold');

      await startPaymentsAgain();
      await waitFor(async () => (await orders.getOrder({ orderId: order.orderId })).saga?.step === 'done', {
        timeoutMs: 90_000,
        what: 'the void to go through',
      });
    } finally {
      channel.close();
    }
    const after = await balance(shop, olga);
    assert.equal(after.balance, '5000');
    assert.equal(after.held, '0');
  });
});

async function breakerState(shop: RunningShop): Promise<number | undefined> {
  const text = await (await fetch(`${shop.orders.httpUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('circuit_breaker_state{') && l.includes('downstream="payments"'));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}
