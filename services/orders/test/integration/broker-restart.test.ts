// The broker restarts in the middle of 200 checkouts. Nothing is restarted but RabbitMQ (a private
// one, on ports of this test's own): the consumers reconnect and resubscribe by themselves, the
// relays resume, and every checkout reaches a terminal state with nothing dead-lettered. While the
// broker is away, orders reports not-ready, so a load balancer would send it no traffic.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connectRabbit, deadLetterQueueOf } from '@shopstack/kit';
import { type PrivateRabbit, startPrivateRabbit, waitFor } from '@shopstack/kit/testing';
import { customer } from '../support/orders-api.js';
import { addProduct, fund, type Shop, startShop, stockOf } from '../support/shop.js';

const CHECKOUTS = 200;
const CONCURRENCY = 20;
const PRICE = 100;
const STOCK = 1_000;

type Customer = ReturnType<typeof customer>;

describe('checkout while the broker restarts', function () {
  this.timeout(300_000);
  let rabbit: PrivateRabbit;
  let shop: Shop;

  before(async () => {
    rabbit = await startPrivateRabbit();
    // Step timeouts well beyond the outage: the checkouts are to survive it, not to time out on it.
    shop = await startShop(
      { RESERVE_STOCK_TIMEOUT_MS: '120000', HOLD_FUNDS_TIMEOUT_MS: '120000', COMMIT_STOCK_RESEND_MS: '5000' },
      { amqpUrl: rabbit.url },
    );
  });

  after(async () => {
    await shop?.close();
    await rabbit?.destroy();
  });

  it('brings every one of 200 checkouts to a terminal state, nothing dead-lettered, no service restarted', async () => {
    const product = await addProduct(shop, { priceMinor: PRICE, stock: STOCK });
    const customers: Customer[] = Array.from({ length: CHECKOUTS }, () => customer(shop, randomUUID()));
    await inBatches(customers, CONCURRENCY, (c) => fund(shop, c.userId, 10_000n));
    const { orders, catalog } = { orders: shop.orders!, catalog: shop.catalog };

    const placed: { who: Customer; orderId: string }[] = [];
    let restart: Promise<boolean> | undefined;
    await inBatches(customers, CONCURRENCY, async (who) => {
      await patiently(() => putOneInCart(who, product));
      const key = randomUUID();
      const { orderId } = await patiently(() => who.checkout(key));
      placed.push({ who, orderId });
      // Half-way through, the broker goes away and comes back while checkouts keep arriving.
      if (placed.length === CHECKOUTS / 2) restart = restartBroker(rabbit, orders.httpUrl);
    });
    assert.equal(placed.length, CHECKOUTS);
    assert.equal(await restart, true, 'orders reported not-ready while the broker was away');

    const outcomes = new Map<string, { status: string; stockCommitted: boolean }>();
    await waitFor(
      async () => {
        const open = placed.filter(({ orderId }) => !isTerminal(outcomes.get(orderId)));
        await inBatches(open, 20, async ({ who, orderId }) => {
          const order = await who.order(orderId);
          outcomes.set(orderId, {
            status: order.status,
            stockCommitted: order.progress?.stockCommitted === true,
          });
        });
        return placed.every(({ orderId }) => isTerminal(outcomes.get(orderId))) || undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000, what: 'every checkout to reach a terminal state' },
    );

    const confirmed = [...outcomes.values()].filter((o) => o.status === 'confirmed').length;
    const cancelled = [...outcomes.values()].filter((o) => o.status === 'cancelled').length;
    assert.equal(confirmed + cancelled, CHECKOUTS);
    // Stock and money agree with the outcomes: what was confirmed was taken, nothing is left reserved.
    assert.deepEqual(await stockOf(shop, product), { on_hand: STOCK - confirmed, reserved: 0 });

    // The same service objects, reconnected: nothing was restarted.
    for (const service of [orders, catalog]) {
      for (const consumer of service.consumers)
        assert.ok(consumer.isConnected(), `${consumer.name} reconnected`);
      assert.equal((await fetch(`${service.httpUrl}/readyz`)).status, 200);
    }
    assert.ok(shop.stockConsumer?.isConnected(), 'the catalog stock-command consumer reconnected');
    assert.deepEqual(await deadLetterCounts(rabbit.url, shop), {
      [shop.names.replies]: 0,
      [shop.names.stockQueue]: 0,
      [`catalog.order-events.${shop.suffix}`]: 0,
    });
    console.log(`      ${confirmed} confirmed, ${cancelled} cancelled`);
  });
});

function isTerminal(outcome: { status: string; stockCommitted: boolean } | undefined): boolean {
  if (!outcome) return false;
  return (outcome.status === 'confirmed' && outcome.stockCommitted) || outcome.status === 'cancelled';
}

/** Stops the broker, sees orders turn not-ready, starts it again; true if readiness told the truth. */
async function restartBroker(rabbit: PrivateRabbit, ordersUrl: string): Promise<boolean> {
  await rabbit.stop();
  const notReady = await waitFor(
    async () => (await fetch(`${ordersUrl}/readyz`)).status === 503 || undefined,
    {
      timeoutMs: 20_000,
      what: 'orders to report not-ready',
    },
  );
  await rabbit.start();
  return notReady === true;
}

async function deadLetterCounts(amqpUrl: string, shop: Shop): Promise<Record<string, number>> {
  const connection = await connectRabbit(amqpUrl, 'test-dead-letters');
  try {
    const channel = await connection.createChannel();
    const counts: Record<string, number> = {};
    for (const queue of [shop.names.replies, shop.names.stockQueue, `catalog.order-events.${shop.suffix}`]) {
      counts[queue] = (await channel.checkQueue(deadLetterQueueOf(queue))).messageCount;
    }
    return counts;
  } finally {
    await connection.close();
  }
}

/**
 * Sends a request until it is not answered 503 catalog-unavailable, up to 5 times. On this saturated
 * machine the catalog's reply to orders can miss its gRPC deadline; such a 503 changed nothing, and
 * both requests sent here are safe to repeat (the cart's PUT sets a quantity, a checkout is sent again
 * under the same key), so a customer sends it again, as they would. What this suite tests is the
 * broker's restart, not the catalog's speed under load.
 */
async function patiently<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const unavailable = (error as Error).message.includes('problems/catalog-unavailable');
      if (!unavailable || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** One of the product in the cart, by the idempotent PUT. */
async function putOneInCart(who: Customer, productId: string): Promise<void> {
  const response = await who.call('PUT', `/api/orders/cart/lines/${productId}`, {
    body: { quantity: 1 },
    key: null,
  });
  if (response.status !== 200)
    throw new Error(`put in cart: ${response.status} ${JSON.stringify(response.body)}`);
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}
