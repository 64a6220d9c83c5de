// Payments' integration events through the real broker: each completed top-up, withdrawal, transfer
// and refund publishes exactly one event, by the contract in @shopstack/proto/messages, that
// notifications' own code turns into a notification for the right user.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createTestQueue,
  deleteExchange,
  requireEnv,
  type TestQueue,
  testExchangeName,
  testGrpcChannel,
  waitFor,
} from '@shopstack/kit/testing';
import {
  paymentHoldClosed,
  paymentHoldPlaced,
  paymentRefunded,
  paymentTopUpCompleted,
  paymentTransferReceived,
  paymentWithdrawalCompleted,
} from '@shopstack/proto/messages';
import { PaymentsServiceDefinition, RefundStatus } from '@shopstack/proto/shop/payments/v1/payments';
import { createClient } from 'nice-grpc';
import { intentFor } from '../../../notifications/src/domain/events.js';
import { MongoOutbox } from '../../src/adapters/outbox.js';
import { type RestFixture, startRestFixture } from '../support/rest.js';

const CONTRACTS = new Map<string, { parse(payload: unknown): { userId: string } }>(
  [paymentTopUpCompleted, paymentWithdrawalCompleted, paymentTransferReceived, paymentRefunded].map((c) => [
    c.type,
    c,
  ]),
);

describe('payments: money events through the outbox', function () {
  this.timeout(60_000);
  const exchange = testExchangeName('payments.events');
  let fixture: RestFixture;
  let events: TestQueue;

  before(async () => {
    events = await createTestQueue(exchange, 'payment.#');
    fixture = await startRestFixture({
      AMQP_URL: requireEnv('AMQP_URL'),
      EVENTS_EXCHANGE: exchange,
      OUTBOX_RELAY: 'on',
    });
  });

  after(async () => {
    await fixture?.close();
    await events?.close();
    await deleteExchange(exchange);
  });

  it('publishes one event per top-up, withdrawal, transfer and refund, which notifications accepts', async () => {
    const { call, issuer, service } = fixture;
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const [aliceToken, bobToken] = [await issuer.token(alice), await issuer.token(bob)];

    const topUp = await fixture.topUp(aliceToken, '20000');
    await fixture.waitForStatus(aliceToken, `/api/payments/topups/${topUp}`, 'completed');
    const bobTopUp = await fixture.topUp(bobToken, '500');
    await fixture.waitForStatus(bobToken, `/api/payments/topups/${bobTopUp}`, 'completed');

    const withdrawal = await call('POST', '/api/payments/withdrawals', {
      token: aliceToken,
      body: { currency: 'EUR', amount: '1000', destination: 'tok_visa' },
    });
    assert.equal(withdrawal.status, 202, JSON.stringify(withdrawal.body));
    await fixture.waitForStatus(aliceToken, `/api/payments/withdrawals/${withdrawal.body.id}`, 'completed');

    const transfer = await call('POST', '/api/payments/transfers', {
      token: aliceToken,
      body: { toUserId: bob, currency: 'EUR', amount: '700' },
    });
    assert.equal(transfer.status, 201, JSON.stringify(transfer.body));
    assert.equal(transfer.body.status, 'completed');
    const declined = await call('POST', '/api/payments/transfers', {
      token: bobToken,
      body: { toUserId: alice, currency: 'EUR', amount: '999999' },
    });
    assert.equal(declined.body.status, 'declined', 'a declined transfer publishes nothing');

    // An order payment, captured and partly refunded, the way orders does it: over gRPC.
    const channel = await testGrpcChannel(service.grpcAddress!, 'orders');
    const grpc = createClient(PaymentsServiceDefinition, channel);
    const orderId = `order-${randomUUID()}`;
    const { hold } = await grpc.authorizeHold({
      idempotencyKey: randomUUID(),
      orderId,
      userId: alice,
      amountMinor: '3000',
      currency: 'EUR',
    });
    await grpc.captureHold({ idempotencyKey: randomUUID(), holdId: hold!.holdId, amountMinor: '3000' });
    const refundKey = randomUUID();
    const refund = await grpc.refund({
      idempotencyKey: refundKey,
      holdId: hold!.holdId,
      amountMinor: '1200',
    });
    assert.equal(refund.refund?.status, RefundStatus.REFUND_STATUS_COMPLETED);
    // A client retry of the same refund is the same refund: no second event.
    await grpc.refund({ idempotencyKey: refundKey, holdId: hold!.holdId, amountMinor: '1200' });
    channel.close();

    const expected = [
      { type: paymentTopUpCompleted.type, id: topUp, userId: alice },
      { type: paymentTopUpCompleted.type, id: bobTopUp, userId: bob },
      { type: paymentWithdrawalCompleted.type, id: withdrawal.body.id, userId: alice },
      { type: paymentTransferReceived.type, id: transfer.body.id, userId: bob },
      { type: paymentRefunded.type, id: refund.refund!.refundId, userId: alice },
    ];
    // Two holds (the withdrawal's and the order's), each placed and closed once.
    const holdEvents = 4;
    await waitFor(() => events.messages.length >= expected.length + holdEvents, { what: 'the events' });
    await waitFor(async () => (await service.outbox.oldestPendingAgeSeconds()) === 0, {
      what: 'the outbox to drain',
    });
    await service.relay!.stop(); // nothing more can arrive: the count below is final
    assert.equal(events.messages.length, expected.length + holdEvents, 'one event per completed operation');
    const holds = <T extends { purpose: string }>(contract: { type: string; parse(p: unknown): T }) =>
      events.messages
        .filter((m) => m.properties.type === contract.type)
        .map((m) => contract.parse(JSON.parse(m.content.toString())))
        .sort((a, b) => a.purpose.localeCompare(b.purpose));
    assert.deepEqual(
      holds(paymentHoldPlaced).map((h) => [h.purpose, h.userId, h.amountMinor]),
      [
        ['order', alice, '3000'],
        ['withdrawal', alice, '1005'],
      ],
    );
    assert.deepEqual(
      holds(paymentHoldClosed).map((h) => [h.purpose, h.holdId === hold!.holdId, h.outcome, h.capturedMinor]),
      [
        ['order', true, 'captured', '3000'],
        ['withdrawal', false, 'captured', '1005'],
      ],
    );

    for (const want of expected) {
      const messageId = MongoOutbox.messageId({ operationId: want.id, type: want.type });
      const found = events.messages.filter((m) => m.properties.messageId === messageId);
      assert.equal(found.length, 1, `${want.type} of ${want.id}`);
      const message = found[0]!;
      assert.equal(message.properties.type, want.type);
      assert.equal(message.fields.routingKey, want.type);
      assert.equal(message.properties.deliveryMode, 2, 'persistent');
      const payload = JSON.parse(message.content.toString());
      const parsed = CONTRACTS.get(want.type)!.parse(payload);
      assert.equal(parsed.userId, want.userId);
      const intent = intentFor(want.type, payload, { publicUrl: 'https://shop.example' });
      assert.ok(intent, `notifications makes a notification of ${want.type}`);
      assert.equal(intent.userId, want.userId);
    }

    const payloadOf = (type: string) =>
      JSON.parse(events.messages.find((m) => m.properties.type === type)!.content.toString());
    // Fees from the test schedule: withdrawals 5 fixed, transfers 1 + 1 %, top-ups none.
    assert.deepEqual(
      { ...payloadOf(paymentTopUpCompleted.type), completedAt: undefined },
      {
        userId: alice,
        paymentId: topUp,
        amountMinor: '20000',
        feeMinor: '0',
        currency: 'EUR',
        schemaVersion: 1,
        completedAt: undefined,
      },
    );
    assert.equal(payloadOf(paymentWithdrawalCompleted.type).amountMinor, '1000');
    assert.equal(payloadOf(paymentWithdrawalCompleted.type).feeMinor, '5');
    const received = payloadOf(paymentTransferReceived.type);
    assert.deepEqual([received.fromUserId, received.amountMinor], [alice, '700']);
    const refunded = payloadOf(paymentRefunded.type);
    assert.deepEqual(
      [refunded.orderId, refunded.amountMinor, refunded.cashbackReturnedMinor],
      [orderId, '1200', '0'],
    );
  });
});
