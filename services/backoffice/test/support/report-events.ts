// The events a reports test feeds the back office: five completed orders (one outside the period),
// duplicates under the same and under new message ids, refunds told by orders and by payments, a
// ledger debit, cashback, chargebacks and holds over the period. The tests sum them independently.
import { randomUUID } from 'node:crypto';
import { waitFor } from '@shopstack/kit/testing';
import type { orderCompleted } from '@shopstack/proto/messages';
import type { z } from 'zod';
import type { Harness } from './harness.js';

/** A line as orders writes it into order.completed (the contract in @shopstack/proto). */
type Line = z.input<typeof orderCompleted.schema>['lines'][number];

export function order(day: string, hour: number, lines: Line[], userId = `user-${randomUUID().slice(0, 6)}`) {
  const currency = lines[0]!.currency;
  const total = lines.reduce((sum, l) => sum + BigInt(l.unitPriceMinor) * BigInt(l.quantity), 0n);
  return {
    orderId: `order-${randomUUID()}`,
    userId,
    lines,
    totalMinor: total.toString(),
    currency,
    completedAt: `${day}T${String(hour).padStart(2, '0')}:15:00.000Z`,
  };
}

const at = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
/** Holds: id, amount, currency, placed at, closed at (or never), how. */
const HOLDS = [
  ['h1', '5000', 'EUR', at('2026-11-01', 10), at('2026-11-02', 10), 'captured'],
  ['h2', '700', 'EUR', at('2026-11-02', 8), at('2026-11-03', 8), 'voided'],
  ['h3', '1200', 'EUR', at('2026-11-03', 9), undefined, 'captured'],
  ['h4', '300', 'USD', at('2026-11-03', 9), at('2026-11-05', 9), 'expired'],
  ['h5', '100', 'EUR', at('2026-11-01', 11), at('2026-11-02', 11), 'captured'],
] as const;

// Category names as checkouts told them: 'coffee' was renamed after the first order (the second
// told no name, as events from before names did), 'machines' never named (an older event).
export const orders = [
  order('2026-11-01', 9, [
    {
      productId: 'espresso',
      quantity: 2,
      unitPriceMinor: '3490',
      currency: 'EUR',
      categoryId: 'coffee',
      categoryName: 'Coffee',
    },
    { productId: 'grinder', quantity: 1, unitPriceMinor: '12900', currency: 'EUR', categoryId: 'machines' },
  ]),
  order(
    '2026-11-01',
    23,
    [{ productId: 'espresso', quantity: 1, unitPriceMinor: '3490', currency: 'EUR', categoryId: 'coffee' }],
    'ann',
  ),
  order(
    '2026-11-02',
    0,
    [
      {
        productId: 'espresso',
        quantity: 3,
        unitPriceMinor: '3600',
        currency: 'USD',
        categoryId: 'coffee',
        categoryName: 'Coffee & Tea',
      },
    ],
    'ann',
  ),
  order('2026-11-03', 12, [{ productId: 'kettle', quantity: 1, unitPriceMinor: '5000', currency: 'EUR' }]),
  // Outside the period: must not count.
  order('2026-11-05', 12, [{ productId: 'kettle', quantity: 9, unitPriceMinor: '5000', currency: 'EUR' }]),
];

/** Publishes every event above and waits until the back office has handled each once. */
export async function publishReportEvents(h: Harness): Promise<void> {
  for (const o of orders) await h.publish('order.completed', { ...o, schemaVersion: 1 });
  // The same event delivered twice (same message id), and the same order told again under a new id.
  const again = await h.publish('order.completed', { ...orders[0], schemaVersion: 1 });
  await h.publish('order.completed', { ...orders[0], schemaVersion: 1 }, again);
  await h.publish('order.completed', { ...orders[1], schemaVersion: 1 });
  // A refund of the first order, told twice under two message ids, and a cancelled checkout.
  const refund = {
    orderId: orders[0]!.orderId,
    userId: orders[0]!.userId,
    refundId: 'refund-1',
    amountMinor: '3490',
    currency: 'EUR',
    schemaVersion: 1,
  };
  await h.publish('order.refunded', refund);
  await h.publish('order.refunded', refund);
  // payments tells the same refund, and a top-up with its fee.
  const now = new Date().toISOString();
  await h.publish('payment.refunded', { ...refund, completedAt: now });
  await h.publish('payment.topup_completed', {
    userId: 'ann',
    paymentId: 'pay-1',
    amountMinor: '50000',
    feeMinor: '150',
    currency: 'EUR',
    completedAt: now,
    schemaVersion: 1,
  });
  await h.publish('order.cancelled', {
    orderId: 'order-x',
    userId: 'bob',
    reason: 'insufficient_funds',
    totalMinor: '999',
    currency: 'EUR',
    schemaVersion: 1,
  });
  // A ledger debit told twice under two message ids; a stock correction moves no money.
  const repair = {
    repairId: 'adj_debit_1',
    service: 'payments',
    actorId: 'admin-1',
    approvedBy: 'admin-2',
    reason: 'cashback paid twice',
    at: new Date().toISOString(),
    schemaVersion: 1,
  };
  const debit = {
    ...repair,
    kind: 'ledger_adjustment',
    subjectId: 'acct-ann',
    before: { balanceMinor: '1000' },
    after: { balanceMinor: '750' },
    money: { userId: 'ann', amountMinor: '-250', currency: 'EUR' },
  };
  await h.publish('repair.recorded', debit);
  await h.publish('repair.recorded', debit);
  await h.publish('repair.recorded', {
    ...repair,
    repairId: 'stock_1',
    kind: 'stock_correction',
    service: 'catalog',
    subjectId: 'kettle',
    before: { onHand: 3 },
    after: { onHand: 2 },
  });
  // payments' cashback (told twice), a refund that took cashback back, two chargebacks (won, lost),
  // on a day of their own.
  const oct20 = at('2026-10-20', 12);
  const cashback = {
    userId: 'ann',
    holdId: 'hold-cb',
    orderId: 'order-cb',
    amountMinor: '75',
    currency: 'EUR',
    paidAt: oct20,
    schemaVersion: 1,
  };
  await h.publish('payment.cashback_paid', cashback);
  await h.publish('payment.cashback_paid', cashback);
  await h.publish('payment.refunded', {
    userId: 'ann',
    refundId: 'refund-cb',
    orderId: 'order-cb',
    amountMinor: '2475',
    cashbackReturnedMinor: '25',
    currency: 'EUR',
    completedAt: oct20,
    schemaVersion: 1,
  });
  for (const [disputeId, amount, outcome] of [
    ['dp-won', '4000', 'won'],
    ['dp-lost', '3000', 'lost'],
  ] as const) {
    const dispute = { userId: 'bob', disputeId, paymentId: `pay-${disputeId}`, currency: 'EUR' };
    await h.publish('payment.chargeback_opened', {
      ...dispute,
      amountMinor: amount,
      fromCustomerMinor: amount,
      openedAt: oct20,
      schemaVersion: 1,
    });
    const closed = { ...dispute, outcome, amountMinor: amount, closedAt: oct20, schemaVersion: 1 };
    await h.publish('payment.chargeback_closed', closed);
    await h.publish('payment.chargeback_closed', closed);
  }
  // Holds over the period: one captured the next day, one voided, one still open at the end (EUR),
  // one that expires after the end (USD), and one whose close is told before its placing.
  for (const [holdId, amount, currency, placed, closed, outcome] of HOLDS) {
    const hold = { userId: 'ann', holdId, orderId: `order-${holdId}`, purpose: 'order', currency };
    const close = () =>
      h.publish('payment.hold_closed', {
        ...hold,
        outcome,
        amountMinor: amount,
        capturedMinor: outcome === 'captured' ? amount : '0',
        closedAt: closed,
        schemaVersion: 1,
      });
    if (holdId === 'h5') await close();
    await h.publish('payment.hold_placed', {
      ...hold,
      amountMinor: amount,
      placedAt: placed,
      schemaVersion: 1,
    });
    if (closed && holdId !== 'h5') await close();
  }
  await waitFor(
    async () => {
      const { rows } = await h.db.query(`select count(*)::int as n from kit_inbox`);
      return rows[0].n === orders.length + 10 + 9 + HOLDS.length + 4;
    },
    { what: 'every event handled' },
  );
}
