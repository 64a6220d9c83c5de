// The reservation rules without a database: validation of lines, the all-or-nothing decision and
// what a repeated reserve answers.
import assert from 'node:assert/strict';
import { isAppError } from '@shopstack/kit';
import {
  checkRepeatedReserve,
  decideReservation,
  movesStock,
  normalizeLines,
  type Reservation,
  sameLines,
  validateOrderId,
} from '../../src/domain/stock.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(isAppError(error), 'expected an AppError');
    assert.equal(error.kind, 'invalid');
    return error.fields.map((f) => f.field);
  }
  assert.fail('expected the call to throw');
}

describe('catalog domain: stock lines', () => {
  it('sorts lines by product id and lower-cases ids, so row locks are always taken in one order', () => {
    const lines = normalizeLines([
      { productId: C, quantity: 1 },
      { productId: A.toUpperCase(), quantity: 2 },
      { productId: B, quantity: 3 },
    ]);
    assert.deepEqual(
      lines.map((l) => l.productId),
      [A, B, C],
    );
    assert.equal(lines[0]?.quantity, 2);
  });

  it('names every bad line: empty, duplicate product, non-UUID, zero, negative or fractional quantity', () => {
    assert.deepEqual(
      fieldsOf(() => normalizeLines([])),
      ['lines'],
    );
    assert.deepEqual(
      fieldsOf(() =>
        normalizeLines([
          { productId: A, quantity: 1 },
          { productId: A, quantity: 1 },
          { productId: 'nope', quantity: 0 },
          { productId: B, quantity: -3 },
          { productId: C, quantity: 1.5 },
        ]),
      ),
      ['lines.1.productId', 'lines.2.productId', 'lines.2.quantity', 'lines.3.quantity', 'lines.4.quantity'],
    );
  });

  it('refuses values of the wrong type, as JSON commands may carry them', () => {
    assert.deepEqual(
      fieldsOf(() => validateOrderId(undefined)),
      ['orderId'],
    );
    assert.deepEqual(
      fieldsOf(() => normalizeLines('lines')),
      ['lines'],
    );
    assert.deepEqual(
      fieldsOf(() => normalizeLines([null, { productId: [A], quantity: '1' }])),
      ['lines.0.productId', 'lines.0.quantity', 'lines.1.productId', 'lines.1.quantity'],
    );
  });

  it('accepts order ids that are UUIDs or similar tokens and refuses empty or odd ones', () => {
    validateOrderId('5d0f7a6e-6b4e-4f7e-9f53-2b1c7d1e0a11');
    validateOrderId('ord_123:retry-1');
    assert.deepEqual(
      fieldsOf(() => validateOrderId('')),
      ['orderId'],
    );
    assert.deepEqual(
      fieldsOf(() => validateOrderId('a b')),
      ['orderId'],
    );
    assert.deepEqual(
      fieldsOf(() => validateOrderId('x'.repeat(129))),
      ['orderId'],
    );
  });
});

describe('catalog domain: reservation decision', () => {
  const rows = [
    { productId: A, purchasable: true, onHand: 10, reserved: 7 },
    { productId: B, purchasable: false, onHand: 5, reserved: 0 },
  ];

  it('reserves when every line fits the available stock (on hand minus reserved)', () => {
    assert.deepEqual(decideReservation([{ productId: A, quantity: 3 }], rows), { kind: 'reserve' });
  });

  it('rejects the whole order when any line does not fit, listing each shortage with its reason', () => {
    const decision = decideReservation(
      [
        { productId: A, quantity: 4 },
        { productId: B, quantity: 1 },
        { productId: C, quantity: 1 },
      ],
      rows,
    );
    assert.deepEqual(decision, {
      kind: 'reject',
      shortages: [
        { productId: A, requested: 4, available: 3, reason: 'insufficient_stock' },
        { productId: B, requested: 1, available: 5, reason: 'not_purchasable' },
        { productId: C, requested: 1, available: 0, reason: 'product_not_found' },
      ],
    });
  });

  it('compares lines exactly for idempotency', () => {
    assert.ok(sameLines([{ productId: A, quantity: 1 }], [{ productId: A, quantity: 1 }]));
    assert.ok(!sameLines([{ productId: A, quantity: 1 }], [{ productId: A, quantity: 2 }]));
    assert.ok(!sameLines([{ productId: A, quantity: 1 }], []));
  });

  const reservation = (
    status: Reservation['status'],
    lines = [{ productId: A, quantity: 1 }],
  ): Reservation => ({
    orderId: 'order-1',
    status,
    lines,
    shortages: [],
    updatedAt: new Date(0),
  });

  it('answers a repeated reserve with the reservation as it stands, whatever its state', () => {
    for (const status of ['reserved', 'rejected', 'released', 'committed'] as const) {
      assert.equal(checkRepeatedReserve(reservation(status), [{ productId: A, quantity: 1 }]).status, status);
    }
  });

  it('refuses an order id reused with other lines (409), except after a release that came first', () => {
    assert.throws(
      () => checkRepeatedReserve(reservation('reserved'), [{ productId: A, quantity: 2 }]),
      (error: unknown) =>
        isAppError(error) && error.kind === 'conflict' && error.code === 'reservation-mismatch',
    );
    const tombstone = reservation('released', []);
    assert.equal(checkRepeatedReserve(tombstone, [{ productId: B, quantity: 9 }]), tombstone);
  });

  it('moves stock only from the reserved state', () => {
    assert.deepEqual((['reserved', 'rejected', 'released', 'committed'] as const).map(movesStock), [
      true,
      false,
      false,
      false,
    ]);
  });
});
