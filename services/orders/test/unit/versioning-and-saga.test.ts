import assert from 'node:assert/strict';
import { fold, placeOrder } from '../../src/domain/order.js';
import { compensationFor, isCancellable, onTimeout, retryDelayMs } from '../../src/domain/saga.js';
import { UnknownEventError, upcast } from '../../src/domain/upcasters.js';

const recordedAt = new Date('2025-06-01T10:00:00.000Z');

describe('event versioning', () => {
  it('upcasts order.placed v1 to v2: owner renamed, currency per line, total added', () => {
    const v1 = {
      orderId: 'o1',
      customerId: 'u1',
      items: [
        { productId: 'p1', qty: 2, priceMinor: '250' },
        { productId: 'p2', qty: 1, priceMinor: '100' },
      ],
      currency: 'USD',
    };
    const event = upcast('order.placed', 1, v1);
    assert.deepEqual(event, {
      type: 'order.placed',
      data: {
        orderId: 'o1',
        userId: 'u1',
        lines: [
          { productId: 'p1', quantity: 2, unitPriceMinor: '250', currency: 'USD' },
          { productId: 'p2', quantity: 1, unitPriceMinor: '100', currency: 'USD' },
        ],
        totalMinor: '600',
        currency: 'USD',
      },
    });
    const order = fold([{ ...event, version: 1, recordedAt }]);
    assert.equal(order?.userId, 'u1');
    assert.equal(order?.totalMinor, 600n);
  });

  it('passes current versions through unchanged', () => {
    const current = placeOrder({
      orderId: 'o',
      userId: 'u',
      lines: [{ productId: 'p', quantity: 1, unitPriceMinor: '5', currency: 'EUR' }],
    });
    assert.deepEqual(upcast('order.placed', 2, current.data), current);
  });

  it('refuses unknown types and versions instead of guessing', () => {
    assert.throws(() => upcast('order.teleported', 1, {}), UnknownEventError);
    assert.throws(() => upcast('order.placed', 9, {}), UnknownEventError);
  });
});

describe('checkout saga rules', () => {
  const order = fold([
    {
      ...placeOrder({
        orderId: 'o',
        userId: 'u',
        lines: [{ productId: 'p', quantity: 1, unitPriceMinor: '5', currency: 'EUR' }],
      }),
      version: 1,
      recordedAt,
    },
  ])!;

  it('compensates timeouts before confirmation and only retries after it', () => {
    assert.deepEqual(onTimeout('reserve_stock'), { action: 'compensate', reason: 'stock_timeout' });
    assert.deepEqual(onTimeout('hold_funds'), { action: 'compensate', reason: 'payment_timeout' });
    assert.deepEqual(onTimeout('commit_stock'), { action: 'resend' });
    assert.deepEqual(onTimeout('capture'), { action: 'none' });
  });

  it('releases stock whose reservation is in doubt and voids a hold whose outcome is unknown', () => {
    assert.deepEqual(compensationFor('reserve_stock', order), { releaseStock: true, voidHold: false });
    assert.deepEqual(compensationFor('hold_funds', { ...order, stockReserved: true }), {
      releaseStock: true,
      voidHold: true,
    });
  });

  it('lets a customer cancel only before confirmation', () => {
    assert.equal(isCancellable('reserve_stock'), true);
    assert.equal(isCancellable('hold_funds'), true);
    assert.equal(isCancellable('capture'), false);
    assert.equal(isCancellable('done'), false);
  });

  it('backs off exponentially with a cap', () => {
    assert.deepEqual([1, 2, 3, 10].map(retryDelayMs), [200, 400, 800, 5000]);
  });
});
