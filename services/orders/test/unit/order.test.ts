import assert from 'node:assert/strict';
import type { NewOrderEvent, RecordedOrderEvent } from '../../src/domain/events.js';
import {
  cancelOrder,
  evolve,
  fold,
  type Order,
  type OrderRuleError,
  placeOrder,
  recordPaymentCaptured,
  recordPaymentHeld,
  recordRefund,
  recordStockReserved,
} from '../../src/domain/order.js';

const now = new Date('2026-01-02T03:04:05.000Z');
const line = (productId: string, quantity: number, unitPriceMinor: string, currency = 'EUR') => ({
  productId,
  quantity,
  unitPriceMinor,
  currency,
});

function record(events: NewOrderEvent[], from = 0): RecordedOrderEvent[] {
  return events.map(
    (event, index) => ({ ...event, version: from + index + 1, recordedAt: now }) as RecordedOrderEvent,
  );
}

function placed(): Order {
  return fold(
    record([
      placeOrder({ orderId: 'o1', userId: 'u1', lines: [line('p1', 2, '1999'), line('p2', 1, '500')] }),
    ]),
  )!;
}

/** Folds new events onto a state, as the repository does after an append. */
function apply(order: Order, events: NewOrderEvent[]): Order {
  return record(events, order.version).reduce((state, event) => evolve(state, event), order);
}

describe('Order aggregate', () => {
  it('places an order with the exact total in minor units', () => {
    const order = placed();
    assert.equal(order.status, 'pending');
    assert.equal(order.totalMinor, 4498n);
    assert.equal(order.currency, 'EUR');
    assert.equal(order.version, 1);
  });

  it('keeps totals exact beyond 2^53', () => {
    const event = placeOrder({ orderId: 'o', userId: 'u', lines: [line('p', 3, '9007199254740993')] });
    assert.equal(event.type === 'order.placed' && event.data.totalMinor, '27021597764222979');
  });

  it('refuses an empty cart, mixed currencies, bad quantities and a zero total', () => {
    const attempt = (lines: ReturnType<typeof line>[]) => () =>
      placeOrder({ orderId: 'o', userId: 'u', lines });
    assert.throws(attempt([]), (error: OrderRuleError) => error.code === 'cart-empty');
    assert.throws(
      attempt([line('a', 1, '1'), line('b', 1, '1', 'USD')]),
      (e: OrderRuleError) => e.code === 'mixed-currencies',
    );
    assert.throws(attempt([line('a', 0, '1')]), (e: OrderRuleError) => e.code === 'invalid-quantity');
    assert.throws(attempt([line('a', 2, '0')]), (e: OrderRuleError) => e.code === 'order-total-zero');
  });

  it('walks pending → confirmed → captured, then refunds the full total', () => {
    let order = placed();
    order = apply(order, recordStockReserved(order));
    assert.equal(order.stockReserved, true);
    order = apply(order, recordPaymentHeld(order, 'h1', now));
    assert.equal(order.status, 'confirmed');
    assert.equal(order.holdId, 'h1');
    order = apply(order, recordPaymentCaptured(order, order.totalMinor));
    assert.equal(order.paymentCaptured, true);
    order = apply(order, recordRefund(order, 'r1'));
    assert.equal(order.status, 'refunded');
    assert.equal(order.refundedMinor, 4498n);
    assert.deepEqual(recordRefund(order, 'r1'), [], 'refunding twice records nothing');
  });

  it('does not hold funds before stock is reserved', () => {
    assert.throws(
      () => recordPaymentHeld(placed(), 'h', now),
      (e: OrderRuleError) => e.code === 'stock-not-reserved',
    );
  });

  it('cancels a pending order once with its reason, and never a confirmed one', () => {
    const order = placed();
    const cancelled = apply(order, cancelOrder(order, 'out_of_stock'));
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.cancelReason, 'out_of_stock');
    assert.deepEqual(cancelOrder(cancelled, 'cancelled_by_customer'), []);
    let confirmed = apply(order, recordStockReserved(order));
    confirmed = apply(confirmed, recordPaymentHeld(confirmed, 'h', now));
    assert.throws(
      () => cancelOrder(confirmed, 'cancelled_by_customer'),
      (e: OrderRuleError) => e.code === 'order-not-pending',
    );
  });

  it('refuses to refund an order that was never paid', () => {
    assert.throws(
      () => recordRefund(placed(), 'r'),
      (e: OrderRuleError) => e.code === 'not-refundable',
    );
  });
});
