// The notifications gRPC API as an operator uses it: grpcurl against the running service (reflection,
// health, a templated send, a delivery's status, webhooks), and its status codes for bad requests.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { grpcurlTlsArgs, requireEnv, waitFor } from '@shopstack/kit/testing';
import { Webhook } from 'standardwebhooks';
import { type Harness, startHarness } from './support/harness.js';
import { type Receiver, startReceiver } from './support/receiver.js';

const run = promisify(execFile);
const SERVICE = 'shop.notifications.v1.NotificationsService';

describe('notifications: gRPC with grpcurl', function () {
  this.timeout(60_000);
  let h: Harness;
  let receiver: Receiver;
  let user: { id: string; email: string };
  const grpcurl = async (method: string, request: unknown) => {
    const { stdout } = await run(
      requireEnv('GRPCURL_BIN'),
      [
        ...grpcurlTlsArgs('backoffice'),
        '-d',
        JSON.stringify(request),
        h.service.grpcAddress!,
        `${SERVICE}/${method}`,
      ],
      { timeout: 20_000 },
    );
    return JSON.parse(stdout);
  };
  const refusal = (method: string, request: unknown) =>
    grpcurl(method, request).then(
      () => assert.fail(`${method} should have failed`),
      (error: { stderr: string }) => String(error.stderr),
    );

  before(async () => {
    [h, receiver] = await Promise.all([
      startHarness({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8', WEBHOOK_ALLOW_PLAIN_HTTP: 'true' }),
      startReceiver(),
    ]);
    user = await h.users.register();
  });
  after(async () => {
    await receiver?.close();
    await h?.stop();
  });

  it('lists the service and health through reflection, and answers a health check', async () => {
    const address = h.service.grpcAddress!;
    const { stdout } = await run(requireEnv('GRPCURL_BIN'), [
      ...grpcurlTlsArgs('backoffice'),
      address,
      'list',
    ]);
    assert.ok(stdout.split('\n').includes(SERVICE), stdout);
    assert.ok(stdout.split('\n').includes('grpc.health.v1.Health'), stdout);
    const described = await run(requireEnv('GRPCURL_BIN'), [
      ...grpcurlTlsArgs('backoffice'),
      address,
      'describe',
      SERVICE,
    ]);
    assert.match(described.stdout, /rpc CreateWebhookEndpoint/);
    const health = await run(requireEnv('GRPCURL_BIN'), [
      ...grpcurlTlsArgs('backoffice'),
      address,
      'grpc.health.v1.Health/Check',
    ]);
    assert.equal(JSON.parse(health.stdout).status, 'SERVING');
  });

  it('sends a templated email and follows its delivery to "sent"', async () => {
    const key = `grpcurl-${randomUUID()}`;
    const request = {
      idempotencyKey: key,
      userId: user.id,
      template: 'account_blocked',
      variablesJson: JSON.stringify({ reason: 'a test from grpcurl' }),
    };
    const sent = await grpcurl('SendNotification', request);
    assert.equal(sent.deliveries.length, 1);
    const [delivery] = sent.deliveries;
    assert.equal(delivery.channel, 'email');
    const again = await grpcurl('SendNotification', request);
    assert.equal(again.deliveries[0].id, delivery.id, 'the same key answers the same delivery');
    const [mail] = await h.mail.waitForMail(user.email, { subject: /blocked/ });
    assert.match(mail!.text, /a test from grpcurl/);
    const followed = await waitFor(async () => {
      const answer = await grpcurl('GetDelivery', { id: delivery.id });
      return answer.delivery.status === 'sent' && answer.delivery;
    });
    assert.equal(followed.attempts, 1);
    const listed = await grpcurl('ListDeliveries', { userId: user.id });
    assert.ok(
      listed.deliveries.some(
        (d: { id: string; status: string }) => d.id === delivery.id && d.status === 'sent',
      ),
      JSON.stringify(listed),
    );
  });

  it('registers a webhook endpoint, rotates its secret, lists and replays its deliveries', async () => {
    const path = `/grpc/${randomUUID()}`;
    const created = await grpcurl('CreateWebhookEndpoint', {
      ownerId: user.id,
      url: receiver.url(path),
      eventTypes: ['order.cancelled'],
    });
    assert.match(created.secret, /^whsec_/);
    assert.equal(created.endpoint.status, 'enabled');
    const rotated = await grpcurl('RotateWebhookSecret', {
      ownerId: user.id,
      endpointId: created.endpoint.id,
      overlapSeconds: 60,
    });
    assert.notEqual(rotated.secret, created.secret);

    await h.publish('order.cancelled', {
      orderId: randomUUID(),
      userId: user.id,
      reason: 'out_of_stock',
      totalMinor: '1000',
      currency: 'EUR',
    });
    const [received] = await waitFor(() => receiver.on(path).length >= 1 && receiver.on(path));
    for (const secret of [created.secret, rotated.secret])
      new Webhook(secret).verify(received!.body, received!.headers);
    const listed = await waitFor(async () => {
      const answer = await grpcurl('ListWebhookDeliveries', {
        ownerId: user.id,
        endpointId: created.endpoint.id,
      });
      return answer.deliveries?.[0]?.status === 'delivered' && answer.deliveries;
    });
    assert.equal(listed[0].id, received!.headers['webhook-id']);
    assert.equal(listed[0].lastStatusCode, 204);

    const replayed = await grpcurl('ReplayWebhookDelivery', { ownerId: user.id, deliveryId: listed[0].id });
    assert.equal(replayed.delivery.id, listed[0].id);
    const [, again] = await waitFor(() => receiver.on(path).length >= 2 && receiver.on(path));
    assert.equal(again!.headers['webhook-id'], listed[0].id);
  });

  it('answers InvalidArgument for bad input and NotFound for another owner’s endpoint', async () => {
    const missing = await refusal('GetDelivery', { id: randomUUID() });
    assert.match(missing, /Code: NotFound/);
    assert.match(await refusal('GetDelivery', { id: 'nope' }), /Code: InvalidArgument/);
    assert.match(
      await refusal('CreateWebhookEndpoint', {
        ownerId: user.id,
        url: 'https://169.254.169.254/latest/meta-data/',
        eventTypes: ['order.cancelled'],
      }),
      /Code: InvalidArgument[\s\S]*cannot receive webhooks/,
    );
    assert.match(
      await refusal('CreateWebhookEndpoint', {
        ownerId: user.id,
        url: receiver.url('/x'),
        eventTypes: ['user.password_reset_requested'],
      }),
      /Code: InvalidArgument/,
    );
    const mine = await grpcurl('CreateWebhookEndpoint', {
      ownerId: user.id,
      url: receiver.url('/mine'),
      eventTypes: ['webhook.test'],
    });
    assert.match(
      await refusal('ListWebhookDeliveries', { ownerId: randomUUID(), endpointId: mine.endpoint.id }),
      /Code: NotFound/,
    );
  });
});
