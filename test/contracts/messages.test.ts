// Every message that crosses services, produced by its producer's own code and read by its
// consumer's own code: if one side changes a field the other relies on, this fails before a broker
// ever sees the message. The contracts themselves are in proto/src/messages.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  commitStock,
  orderCancelled,
  orderCompleted,
  orderRefunded,
  paymentRefunded,
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
  releaseStock,
  reserveStock,
  sessionRevoked,
  stockReply,
  userBlocked,
} from '@shopstack/proto/messages';
import { orderLineRows } from '../../services/backoffice/src/domain/order-lines.js';
import { paymentMoneyRows } from '../../services/backoffice/src/domain/payment-rows.js';
import { stockReplyOf } from '../../services/catalog/src/adapters/saga-stock-commands.js';
import { OrderCompletedPurchases } from '../../services/catalog/src/app/purchases.js';
import { intentFor } from '../../services/notifications/src/domain/events.js';
import { checkVariables } from '../../services/notifications/src/domain/templates.js';
import {
  orderCancelledEvent,
  orderCompletedEvent,
  orderRefundedEvent,
} from '../../services/orders/src/adapters/integration-events.js';
import {
  commitStockCommand,
  releaseStockCommand,
  reserveStockCommand,
} from '../../services/orders/src/adapters/stock-commands.js';
import { fold, placeOrder } from '../../services/orders/src/domain/order.js';
import type {
  DisputeDoc,
  HoldDoc,
  JournalDoc,
  ProviderPaymentDoc,
  RefundDoc,
} from '../../services/payments/src/adapters/documents.js';
import type { OutboxEvent } from '../../services/payments/src/adapters/outbox.js';
import { PaymentEvents } from '../../services/payments/src/app/events.js';

const route = { exchange: 'shop.commands', replyTo: 'orders.saga-replies' };
const productId = randomUUID();
const lines = [{ productId, quantity: 2, unitPriceMinor: '1250', currency: 'EUR' }];

describe('message contracts: what a producer writes, its consumer reads', () => {
  it('stock commands from orders parse as the catalog reads them', () => {
    const orderId = randomUUID();
    const reserve = reserveStockCommand(route, orderId, lines);
    assert.equal(reserve.type, reserveStock.type);
    assert.equal(reserve.routingKey, reserveStock.type, 'the catalog binds to the type');
    assert.deepEqual(reserveStock.parse(reserve.payload), {
      orderId,
      replyTo: route.replyTo,
      lines: [{ productId, quantity: 2 }],
    });
    const release = releaseStockCommand(route, orderId);
    assert.equal(release.type, releaseStock.type);
    assert.deepEqual(releaseStock.parse(release.payload), { orderId, replyTo: route.replyTo });
    // The commit names the buyer, so the catalog records the purchase with it.
    const commit = commitStockCommand(route, orderId, 'buyer-1');
    assert.equal(commit.type, commitStock.type);
    assert.deepEqual(commitStock.parse(commit.payload), {
      orderId,
      replyTo: route.replyTo,
      userId: 'buyer-1',
    });
    assert.equal((reserve.payload as { schemaVersion: number }).schemaVersion, reserveStock.version);
  });

  it("the catalog's replies parse as orders reads them", () => {
    const orderId = randomUUID();
    const shortage = { productId, requested: 2, available: 1, reason: 'insufficient_stock' as const };
    const rejected = stockReplyOf('catalog.reserve-stock', orderId, undefined);
    assert.deepEqual(stockReply.parse(rejected), {
      orderId,
      command: 'reserve-stock',
      status: 'rejected',
      shortages: [],
    });
    const reserved = stockReplyOf('catalog.commit-stock', orderId, {
      orderId,
      status: 'committed',
      lines: [],
      shortages: [shortage],
    } as never);
    assert.deepEqual(stockReply.parse(reserved).shortages, [shortage]);
    assert.equal(stockReply.parse(reserved).command, 'commit-stock');
  });

  it("orders' order.completed parses as the catalog and notifications read it", () => {
    const orderId = randomUUID();
    const userId = randomUUID();
    const placed = placeOrder({ orderId, userId, lines });
    const order = fold([{ ...placed, version: 1, recordedAt: new Date() }])!;
    const event = orderCompletedEvent('shop.events', order);
    assert.equal(event.routingKey, 'order.completed');
    assert.deepEqual(OrderCompletedPurchases.parse(event.payload), {
      orderId,
      userId,
      lines: [{ productId, quantity: 2 }],
    });
    const receipt = intentFor(event.type, event.payload, { publicUrl: 'https://shop.example' });
    assert.equal(receipt?.template, 'order_receipt', 'notifications sends the receipt');
    assert.equal(receipt?.userId, userId);
    assert.equal(receipt?.variables.totalMinor, '2500');
  });

  it("order.completed's lines tell the category's name: the back office stores it beside the id; an event without it still parses", () => {
    const categoryId = randomUUID();
    const loose = randomUUID();
    const placed = placeOrder({
      orderId: randomUUID(),
      userId: randomUUID(),
      lines: [
        { ...lines[0]!, categoryId, categoryName: 'Kitchen & Dining' },
        { productId: loose, quantity: 1, unitPriceMinor: '399', currency: 'EUR' },
      ],
    });
    const order = fold([{ ...placed, version: 1, recordedAt: new Date() }])!;
    const event = orderCompletedEvent('shop.events', order);
    const parsed = orderCompleted.parse(event.payload);
    assert.deepEqual(
      orderLineRows(parsed).map((row) => [row.category_id, row.category_name]),
      [
        [categoryId, 'Kitchen & Dining'],
        [null, null],
      ],
    );
    // An older producer's event (no category, or an id without a name) parses and is stored without
    // a name; readers that do not know the field (the catalog's purchases) read it as before.
    const older = {
      orderId: 'o-1',
      userId: 'u-1',
      lines: [
        { productId: 'p-1', quantity: 1, unitPriceMinor: '100', currency: 'EUR' },
        { productId: 'p-2', quantity: 2, unitPriceMinor: '50', currency: 'EUR', categoryId: 'c-1' },
      ],
      totalMinor: '200',
      currency: 'EUR',
      completedAt: new Date().toISOString(),
      schemaVersion: 1,
    };
    assert.deepEqual(
      orderLineRows(orderCompleted.parse(older)).map((row) => [row.category_id, row.category_name]),
      [
        [null, null],
        ['c-1', null],
      ],
    );
    assert.deepEqual(OrderCompletedPurchases.parse(event.payload).lines, [
      { productId, quantity: 2 },
      { productId: loose, quantity: 1 },
    ]);
    // A name is a non-empty string of at most 200 characters (the catalog's limit), or absent.
    for (const categoryName of ['', 'x'.repeat(201), 42]) {
      const result = orderCompleted.safeParse({
        ...older,
        lines: [{ ...older.lines[1], categoryName }],
      });
      assert.equal(result.success, false, JSON.stringify(categoryName));
      assert.deepEqual(result.error?.issues[0]?.path, ['lines', 0, 'categoryName']);
    }
  });

  it("users' user.blocked parses as notifications reads it; session.revoked names its reason", () => {
    const userId = randomUUID();
    const blocked = userBlocked.encode({
      userId,
      reason: 'card testing',
      occurredAt: new Date().toISOString(),
    });
    const notice = intentFor(userBlocked.type, blocked, { publicUrl: 'https://shop.example' });
    assert.equal(notice?.template, 'account_blocked');
    assert.deepEqual(notice?.variables, { reason: 'card testing' });
    assert.throws(() =>
      sessionRevoked.encode({
        userId,
        sessionId: null,
        reason: 'bored' as never,
        occurredAt: new Date().toISOString(),
      }),
    );
  });

  it("orders' order.cancelled and order.refunded parse as notifications reads them", () => {
    const orderId = randomUUID();
    const userId = randomUUID();
    const order = fold([{ ...placeOrder({ orderId, userId, lines }), version: 1, recordedAt: new Date() }])!;
    const base = { publicUrl: 'https://shop.example' };

    const cancelled = orderCancelledEvent('shop.events', order, 'out_of_stock');
    assert.equal(cancelled.routingKey, orderCancelled.type);
    assert.equal(orderCancelled.parse(cancelled.payload).reason, 'out_of_stock');
    const notice = intentFor(cancelled.type, cancelled.payload, base);
    assert.equal(notice?.template, 'order_cancelled');
    assert.equal(notice?.userId, userId);
    assert.deepEqual(checkVariables('order_cancelled', notice?.variables), {
      orderId,
      reason: 'out_of_stock',
    });

    const refunded = orderRefundedEvent('shop.events', order, { refundId: 'rf-1', amountMinor: 2500n });
    assert.equal(refunded.routingKey, orderRefunded.type);
    const refund = intentFor(refunded.type, refunded.payload, base);
    assert.equal(refund?.template, 'order_refunded');
    assert.deepEqual(checkVariables('order_refunded', refund?.variables), {
      orderId,
      amountMinor: '2500',
      currency: 'EUR',
    });
    assert.equal((refunded.payload as { schemaVersion: number }).schemaVersion, orderRefunded.version);
  });

  it("payments' four money events, by their contracts, become notifications' money notices", () => {
    // Payments publishes these through its outbox; here notifications' mapping is held to the contracts.
    const userId = randomUUID();
    const base = { publicUrl: 'https://shop.example' };
    const completedAt = new Date().toISOString();
    const cases = [
      [
        paymentTopUpCompleted.encode({
          userId,
          paymentId: 'p',
          amountMinor: '990',
          feeMinor: '10',
          currency: 'EUR',
          completedAt,
        }),
        paymentTopUpCompleted.type,
        'payment_received',
        'topup',
      ],
      [
        paymentTransferReceived.encode({
          userId,
          fromUserId: 'u2',
          transferId: 't',
          amountMinor: '990',
          currency: 'EUR',
          completedAt,
        }),
        paymentTransferReceived.type,
        'payment_received',
        'transfer',
      ],
      [
        paymentRefunded.encode({
          userId,
          refundId: 'r',
          orderId: 'o',
          amountMinor: '990',
          currency: 'EUR',
          completedAt,
        }),
        paymentRefunded.type,
        'payment_received',
        'refund',
      ],
      [
        paymentWithdrawalCompleted.encode({
          userId,
          paymentId: 'p',
          amountMinor: '990',
          feeMinor: '10',
          currency: 'EUR',
          completedAt,
        }),
        paymentWithdrawalCompleted.type,
        'payment_sent',
        'withdrawal',
      ],
    ] as const;
    for (const [payload, type, template, kind] of cases) {
      const notice = intentFor(type, payload, base);
      assert.equal(notice?.template, template, type);
      assert.equal(notice?.userId, userId, type);
      assert.deepEqual(checkVariables(template, notice?.variables), {
        kind,
        amountMinor: '990',
        currency: 'EUR',
      });
    }
    assert.throws(() =>
      intentFor(paymentTopUpCompleted.type, { userId, amountMinor: '-5', currency: 'EUR' }, base),
    );
  });

  it("payments' money, cashback, chargeback and hold events become the back office's finance rows", async () => {
    // payments' own event code, writing to an outbox that keeps what it is given.
    const stored: OutboxEvent[] = [];
    const events = new PaymentEvents({ put: async (event) => void stored.push(event) }, undefined as never);
    const userId = randomUUID();
    const at = new Date('2026-11-02T10:00:00.000Z');
    const hold = {
      _id: 'hol_1',
      purpose: 'order',
      orderId: 'order-1',
      userId,
      currency: 'EUR',
      amount: 5000n,
    } as HoldDoc;
    const payment = { _id: 'top_1', userId, currency: 'EUR', amount: 4000n, fee: 40n } as ProviderPaymentDoc;
    const dispute = {
      _id: 'dis_1',
      paymentId: 'top_1',
      userId,
      currency: 'EUR',
      amount: 4000n,
    } as DisputeDoc;
    await events.topUpCompleted(payment);
    await events.holdPlaced(hold, { at } as JournalDoc);
    await events.holdClosed(
      hold,
      { at, capture: { amount: 5000n, cashback: { amount: 75n } } } as JournalDoc,
      'captured',
    );
    await events.refunded(
      { _id: 'ref_1', userId, currency: 'EUR', amount: 2000n } as RefundDoc,
      'order-1',
      30n,
    );
    await events.chargebackOpened(dispute, 2500n);
    await events.chargebackClosed(dispute, 'lost');

    const rows = stored.flatMap((event) => {
      const found = paymentMoneyRows(event.type, event.payload);
      assert.ok(found, `the back office reads ${event.type}`);
      return found.map((row) => [row.kind, row.amountMinor, row.currency, row.userId]);
    });
    assert.deepEqual(rows, [
      ['topup', '3960', 'EUR', userId],
      ['fee', '40', 'EUR', userId],
      ['hold_placed', '5000', 'EUR', userId],
      ['cashback', '75', 'EUR', userId],
      ['hold_captured', '5000', 'EUR', userId],
      // The whole refund (1970 reached the account, 30 of cashback went back).
      ['refund', '2000', 'EUR', userId],
      ['cashback_reversed', '30', 'EUR', userId],
      ['chargeback', '4000', 'EUR', userId],
      ['chargeback_lost', '4000', 'EUR', userId],
    ]);
    // A hold's placing and its close name the same hold, which the report pairs them by.
    const holdRows = stored
      .flatMap((e) => paymentMoneyRows(e.type, e.payload) ?? [])
      .filter((r) => r.kind.startsWith('hold_'));
    assert.deepEqual(
      holdRows.map((r) => [r.reference, r.occurredAt.toISOString()]),
      [
        ['hol_1', at.toISOString()],
        ['hol_1', at.toISOString()],
      ],
    );
    // An older payments' refund (no cashback field) still reads: the whole refund, no cashback row.
    const old = paymentRefunded.encode({
      userId,
      refundId: 'r',
      orderId: 'o',
      amountMinor: '990',
      currency: 'EUR',
      completedAt: at.toISOString(),
    });
    assert.deepEqual(
      paymentMoneyRows(paymentRefunded.type, old)?.map((r) => [r.kind, r.amountMinor]),
      [['refund', '990']],
    );
  });

  it('refuses a payload that breaks a contract, naming the field', () => {
    const result = reserveStock.safeParse({ orderId: randomUUID(), replyTo: 'r', lines: [{ productId }] });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['lines', 0, 'quantity']);
    assert.throws(() =>
      stockReply.parse({ orderId: 'o', command: 'reserve-stock', status: 'maybe', shortages: [] }),
    );
  });
});
