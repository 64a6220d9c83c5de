// The gRPC API the checkout saga uses, over a real channel: holds, partial captures, refunds, voids,
// balances, idempotent replays, invalid arguments (nothing changes), and reflection for grpcurl.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { grpcurlTlsArgs } from '@shopstack/kit/testing';
import { FailureReason, HoldStatus, RefundStatus } from '@shopstack/proto/shop/payments/v1/payments';
import { ClientError, Status } from 'nice-grpc';
import type { PaymentsService } from '../../src/service.js';
import { fund } from '../support/app.js';
import { type GrpcTestService, type PaymentsClient, startGrpcTestService } from '../support/grpc-service.js';

describe('payments gRPC API', function () {
  this.timeout(60_000);
  let shop: GrpcTestService;
  let service: PaymentsService;
  /** As orders calls payments (the checkout's money steps). */
  let client: PaymentsClient;
  /** As the back office calls it (balances, statements). */
  let backOffice: PaymentsClient;
  let asCatalog: PaymentsClient;
  const buyer = `buyer-${randomUUID()}`;

  before(async () => {
    shop = await startGrpcTestService();
    service = shop.service;
    client = await shop.clientAs('orders');
    backOffice = await shop.clientAs('backoffice');
    asCatalog = await shop.clientAs('catalog');
    await fund(service.app, buyer, 'EUR', 10_000n);
  });

  after(async () => {
    await shop?.close();
  });

  const authorize = (amountMinor: string, idempotencyKey = randomUUID(), userId = buyer) =>
    client.authorizeHold({
      idempotencyKey,
      orderId: `order-${randomUUID()}`,
      userId,
      amountMinor,
      currency: 'EUR',
    });

  async function expectStatus(call: Promise<unknown>, status: Status) {
    await assert.rejects(call, (error: unknown) => error instanceof ClientError && error.code === status);
  }

  it('authorizes, captures part, refunds part, and reports balances', async () => {
    const { hold } = await authorize('4000');
    assert.equal(hold?.status, HoldStatus.HOLD_STATUS_AUTHORIZED);
    let { balance } = await backOffice.getBalance({ userId: buyer, currency: 'EUR' });
    assert.deepEqual(
      [balance?.balanceMinor, balance?.heldMinor, balance?.availableMinor],
      ['10000', '4000', '6000'],
    );

    const captured = await client.captureHold({
      idempotencyKey: randomUUID(),
      holdId: hold!.holdId,
      amountMinor: '2500',
    });
    assert.equal(captured.hold?.status, HoldStatus.HOLD_STATUS_CAPTURED);
    assert.equal(captured.hold?.capturedMinor, '2500');
    ({ balance } = await backOffice.getBalance({ userId: buyer, currency: 'EUR' }));
    assert.deepEqual([balance?.balanceMinor, balance?.heldMinor], ['7500', '0']);

    const refund = await client.refund({ idempotencyKey: 'r-1', holdId: hold!.holdId, amountMinor: '1000' });
    assert.equal(refund.refund?.status, RefundStatus.REFUND_STATUS_COMPLETED);
    const replay = await client.refund({ idempotencyKey: 'r-1', holdId: hold!.holdId, amountMinor: '1000' });
    assert.equal(replay.refund?.refundId, refund.refund?.refundId);
    const tooMuch = await client.refund({ idempotencyKey: 'r-2', holdId: hold!.holdId, amountMinor: '1501' });
    assert.equal(tooMuch.refund?.status, RefundStatus.REFUND_STATUS_DECLINED);
    assert.equal(tooMuch.refund?.failureReason, FailureReason.FAILURE_REASON_EXCEEDS_REFUNDABLE);
    const view = await client.getHold({ holdId: hold!.holdId });
    assert.equal(view.hold?.refundedMinor, '1000');
    ({ balance } = await backOffice.getBalance({ userId: buyer, currency: 'EUR' }));
    assert.equal(balance?.balanceMinor, '8500');

    const voided = await client.voidHold({ idempotencyKey: randomUUID(), holdId: hold!.holdId });
    assert.equal(voided.hold?.status, HoldStatus.HOLD_STATUS_CAPTURED);
    assert.equal(voided.hold?.failureReason, FailureReason.FAILURE_REASON_HOLD_CLOSED);
  });

  it("lets only orders move a checkout's money: catalog's own valid certificate gets PERMISSION_DENIED", async () => {
    const payer = `payer-${randomUUID()}`;
    await fund(service.app, payer, 'EUR', 1_000n);
    const { hold } = await authorize('700', randomUUID(), payer);
    const before = await backOffice.getBalance({ userId: payer, currency: 'EUR' });
    const key = randomUUID();
    for (const call of [
      asCatalog.captureHold({ idempotencyKey: key, holdId: hold!.holdId, amountMinor: '700' }),
      asCatalog.voidHold({ idempotencyKey: key, holdId: hold!.holdId }),
      asCatalog.refund({ idempotencyKey: key, holdId: hold!.holdId, amountMinor: '1' }),
      asCatalog.authorizeHold({
        idempotencyKey: key,
        orderId: 'o',
        userId: payer,
        amountMinor: '1',
        currency: 'EUR',
      }),
      asCatalog.getBalance({ userId: payer, currency: 'EUR' }),
    ])
      await expectStatus(call, Status.PERMISSION_DENIED);
    // Nothing moved: the hold is still authorized and the balance unchanged.
    assert.equal(
      (await client.getHold({ holdId: hold!.holdId })).hold?.status,
      HoldStatus.HOLD_STATUS_AUTHORIZED,
    );
    assert.deepEqual(await backOffice.getBalance({ userId: payer, currency: 'EUR' }), before);
    // The same capture from orders goes through.
    const captured = await client.captureHold({
      idempotencyKey: key,
      holdId: hold!.holdId,
      amountMinor: '700',
    });
    assert.equal(captured.hold?.status, HoldStatus.HOLD_STATUS_CAPTURED);
  });

  it('replays an authorization by key, refuses the key for other arguments, declines what is not there', async () => {
    const key = randomUUID();
    const orderId = `order-${randomUUID()}`;
    const request = { idempotencyKey: key, orderId, userId: buyer, amountMinor: '100', currency: 'EUR' };
    const first = await client.authorizeHold(request);
    const again = await client.authorizeHold(request);
    assert.equal(again.hold?.holdId, first.hold?.holdId);
    await expectStatus(client.authorizeHold({ ...request, amountMinor: '101' }), Status.ALREADY_EXISTS);
    const voided = await client.voidHold({ idempotencyKey: randomUUID(), holdId: first.hold!.holdId });
    assert.equal(voided.hold?.status, HoldStatus.HOLD_STATUS_VOIDED);

    const broke = await authorize('999999');
    assert.equal(broke.hold?.status, HoldStatus.HOLD_STATUS_DECLINED);
    assert.equal(broke.hold?.failureReason, FailureReason.FAILURE_REASON_INSUFFICIENT_FUNDS);
    const stranger = await authorize('1', randomUUID(), `nobody-${randomUUID()}`);
    assert.equal(stranger.hold?.failureReason, FailureReason.FAILURE_REASON_NO_ACCOUNT);
  });

  it('never captures a hold past its expiresAt, even before the expiry job ran: HOLD_EXPIRED, final', async () => {
    // A hold of one second. Its time really runs out (the service remembers the holds it authorized,
    // so editing the stored expiresAt would not be seen); the capture comes before any expiry run.
    const { hold } = await client.authorizeHold({
      idempotencyKey: randomUUID(),
      orderId: `order-${randomUUID()}`,
      userId: buyer,
      amountMinor: '3000',
      currency: 'EUR',
      ttlSeconds: 1,
    });
    const before = await backOffice.getBalance({ userId: buyer, currency: 'EUR' });
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(hold!.expiresAt) - Date.now()) + 50),
    );
    for (const attempt of [1, 2]) {
      const late = await client.captureHold({
        idempotencyKey: `late-${attempt}`,
        holdId: hold!.holdId,
        amountMinor: '0',
      });
      assert.equal(late.hold?.status, HoldStatus.HOLD_STATUS_EXPIRED);
      assert.equal(late.hold?.failureReason, FailureReason.FAILURE_REASON_HOLD_EXPIRED);
      assert.equal(late.hold?.capturedMinor, '0');
    }
    const after = await backOffice.getBalance({ userId: buyer, currency: 'EUR' });
    assert.equal(after.balance?.balanceMinor, before.balance?.balanceMinor, 'nothing was taken');
    assert.equal(BigInt(after.balance!.heldMinor), BigInt(before.balance!.heldMinor) - 3000n, 'released');
    const closes = await service.app.db.journal
      .find({ ref: hold!.holdId, kind: /^hold_(capture|expire)$/ })
      .toArray();
    assert.deepEqual(
      closes.map((entry) => entry.kind),
      ['hold_expire'],
    );
  });

  it('rejects invalid arguments with INVALID_ARGUMENT and changes nothing', async () => {
    const before = await service.app.db.journal.countDocuments();
    const holdsBefore = await service.app.db.holds.countDocuments();
    const valid = {
      idempotencyKey: randomUUID(),
      orderId: 'o',
      userId: buyer,
      amountMinor: '5',
      currency: 'EUR',
    };
    for (const bad of [
      { ...valid, idempotencyKey: '' },
      { ...valid, amountMinor: '0' },
      { ...valid, amountMinor: '-5' },
      { ...valid, amountMinor: '1000000000000001' },
      { ...valid, currency: 'eur' },
      { ...valid, userId: '' },
      { ...valid, orderId: '' },
    ]) {
      await expectStatus(client.authorizeHold(bad), Status.INVALID_ARGUMENT);
    }
    await expectStatus(
      client.captureHold({ idempotencyKey: 'k', holdId: '', amountMinor: '0' }),
      Status.INVALID_ARGUMENT,
    );
    await expectStatus(
      client.refund({ idempotencyKey: 'k', holdId: 'x', amountMinor: '0' }),
      Status.INVALID_ARGUMENT,
    );
    await expectStatus(backOffice.getBalance({ userId: buyer, currency: 'EURO' }), Status.INVALID_ARGUMENT);
    await expectStatus(
      client.captureHold({ idempotencyKey: 'k', holdId: 'hol_missing', amountMinor: '0' }),
      Status.NOT_FOUND,
    );
    const { hold } = await authorize('10');
    const journalAfterAuthorize = await service.app.db.journal.countDocuments();
    await expectStatus(
      client.captureHold({ idempotencyKey: 'k', holdId: hold!.holdId, amountMinor: '11' }),
      Status.INVALID_ARGUMENT,
    );
    assert.equal(await service.app.db.journal.countDocuments(), journalAfterAuthorize);
    assert.equal(journalAfterAuthorize, before + 1);
    assert.equal(await service.app.db.holds.countDocuments(), holdsBefore + 1);
  });

  it('serves reflection and health, so grpcurl can list and call it', async () => {
    const grpcurl = process.env.GRPCURL_BIN;
    assert.ok(grpcurl, 'GRPCURL_BIN is not set: run `npm run infra -- up tools`');
    const run = promisify(execFile);
    const listed = await run(grpcurl!, [...grpcurlTlsArgs('backoffice'), service.grpcAddress!, 'list']);
    assert.match(listed.stdout, /shop\.payments\.v1\.PaymentsService/);
    assert.match(listed.stdout, /grpc\.health\.v1\.Health/);
    const balance = await run(grpcurl!, [
      ...grpcurlTlsArgs('backoffice'),
      '-d',
      JSON.stringify({ user_id: buyer, currency: 'EUR' }),
      service.grpcAddress!,
      'shop.payments.v1.PaymentsService/GetBalance',
    ]);
    assert.equal(JSON.parse(balance.stdout).balance.currency, 'EUR');
  });
});
