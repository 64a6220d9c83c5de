import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { orderCompleted } from '@shopstack/proto/messages';
import { orderCompletedEvent } from '../../src/adapters/integration-events.js';
import { checkoutSaga } from '../../src/app/checkout-saga.js';
import { mermaidDiagram, retryDelayMs, transitionsOf } from '../../src/app/saga-definition.js';
import { fold, placeOrder } from '../../src/domain/order.js';
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

  it('loads order.placed v2 rows from before lines named their category, and tells order.completed what each line has', () => {
    const line = { productId: 'p1', quantity: 2, unitPriceMinor: '250', currency: 'EUR' };
    const stored = {
      orderId: 'o1',
      userId: 'u1',
      // As written before categories (no id), and before names (an id only); then a line with both.
      lines: [line, { ...line, productId: 'p2', categoryId: 'c1' }],
      totalMinor: '1000',
      currency: 'EUR',
    };
    const named = { ...line, productId: 'p3', categoryId: 'c2', categoryName: 'Kitchen' };
    const cases: [{ totalMinor: string }, (string | undefined)[][]][] = [
      [
        stored,
        [
          [undefined, undefined],
          ['c1', undefined],
        ],
      ],
      [
        { ...stored, lines: [...stored.lines, named], totalMinor: '1500' },
        [
          [undefined, undefined],
          ['c1', undefined],
          ['c2', 'Kitchen'],
        ],
      ],
    ];
    for (const [data, expected] of cases) {
      const order = fold([{ ...upcast('order.placed', 2, data), version: 1, recordedAt }])!;
      assert.equal(order.totalMinor, BigInt(data.totalMinor));
      const payload = orderCompleted.parse(orderCompletedEvent('events', order).payload);
      assert.deepEqual(
        payload.lines.map((l) => [l.categoryId, l.categoryName]),
        expected,
      );
    }
  });

  it('refuses unknown types and versions instead of guessing', () => {
    assert.throws(() => upcast('order.teleported', 1, {}), UnknownEventError);
    assert.throws(() => upcast('order.placed', 9, {}), UnknownEventError);
  });
});

describe('checkout saga declaration', () => {
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
  const route = { exchange: 'commands', replyTo: 'replies' };
  const saga = checkoutSaga({ payments: undefined as never, stockRoute: route, eventsExchange: 'events' });
  const target = (from: string, outcome: string) =>
    transitionsOf(saga).find((edge) => edge.from === from && edge.outcome === outcome)?.to;

  it('compensates timeouts before confirmation and only moves forward after it', () => {
    const stock = saga.steps.reserve_stock.onDeadline!(order);
    assert.deepEqual(stock.events, [{ type: 'order.cancelled', data: { reason: 'stock_timeout' } }]);
    assert.deepEqual(
      stock.messages?.map((m) => m.type),
      ['catalog.release-stock', 'order.cancelled'],
      'a reservation in doubt is released, and the cancellation published',
    );
    assert.equal(target('reserve_stock', stock.outcome), 'done');
    const hold = saga.steps.hold_funds.onDeadline!({ ...order, stockReserved: true });
    assert.equal(hold.events?.[0]?.type, 'order.cancelled');
    assert.equal(target('hold_funds', hold.outcome), 'void_hold', 'a hold in doubt is voided');
    for (const step of ['capture', 'renew_hold', 'commit_stock', 'refund'] as const) {
      assert.equal(saga.steps[step].pastPivot, true, step);
      assert.equal(saga.steps[step].onDeadline, undefined, step);
    }
  });

  it('lets a customer cancel only before confirmation', () => {
    const cancellable = Object.entries(saga.steps)
      .filter(([, step]) => step.onCancel)
      .map(([name]) => name);
    assert.deepEqual(cancellable, ['reserve_stock', 'hold_funds']);
  });

  it('declares a target for every outcome, and every step is reachable', () => {
    const edges = transitionsOf(saga);
    const reached = new Set(edges.map((edge) => edge.to));
    for (const step of Object.keys(saga.steps)) assert.ok(reached.has(step), `${step} is reachable`);
    for (const edge of edges)
      assert.ok(edge.to === 'done' || edge.to in saga.steps, `${edge.from} → ${edge.to}`);
  });

  it('is the diagram the README shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = /```mermaid\n([\s\S]*?)\n```/.exec(readme)?.[1];
    assert.equal(shown, mermaidDiagram(saga), 'regenerate with: npm run -w @shopstack/orders saga-diagram');
  });

  it('backs off exponentially with a cap', () => {
    assert.deepEqual([1, 2, 3, 10].map(retryDelayMs), [200, 400, 800, 5000]);
  });
});
