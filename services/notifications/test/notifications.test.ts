// The notifications service against real PostgreSQL, RabbitMQ, Mailpit and a real users service:
// events in, mail out, preferences honoured, retries, and the REST API's input and ownership rules.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createGrpcClient, createMetrics } from '@shopstack/kit';
import { httpClient, linkIn, testGrpcTransport, waitFor } from '@shopstack/kit/testing';
import { NotificationsServiceDefinition } from '@shopstack/proto/shop/notifications/v1/notifications';
import { uniqueEmail } from '../../users/test/support/harness.js';
import { type Harness, moneyEvent, startHarness } from './support/harness.js';

describe('notifications service', function () {
  this.timeout(60_000);
  let h: Harness;
  let grpc: ReturnType<typeof createGrpcClient<typeof NotificationsServiceDefinition>>;

  before(async () => {
    h = await startHarness();
    grpc = createGrpcClient(NotificationsServiceDefinition, {
      address: h.service.grpcAddress!,
      downstream: 'notifications',
      metrics: createMetrics('notifications-test'),
      transport: await testGrpcTransport('backoffice'),
    });
  });
  after(async () => {
    grpc?.close();
    await h?.stop();
  });

  const api = (path: string, options: Parameters<ReturnType<typeof httpClient>>[2] = {}, method = 'GET') =>
    httpClient(h.service.httpUrl)(method, path, options);
  const deliveriesOf = async (userId: string) =>
    (
      await h.service.deps.pool.query('select * from deliveries where user_id = $1 order by created_at', [
        userId,
      ])
    ).rows;

  it('sends the verification email (HTML + text, List-Unsubscribe, stable Message-ID) whose link verifies', async () => {
    const user = await h.users.register();
    const [mail] = await h.mail.waitForMail(user.email, { subject: /Confirm your email/ });
    assert.ok(mail);
    assert.match(mail.html, /<a href="http:\/\/127\.0\.0\.1:\d+\/api\/users\/verify-email\?token=/);
    const link = linkIn(mail.text, '/api/users/verify-email');

    const [delivery] = await waitFor(async () => {
      const rows = await deliveriesOf(user.id);
      return rows.length === 1 && rows[0].status === 'sent' ? rows : undefined;
    });
    assert.equal(mail.messageId, `${delivery.id}@notifications.shopstack.test`);
    assert.equal(delivery.template, 'email_verification');
    assert.equal(delivery.attempts, 1);
    assert.match(
      mail.headers['List-Unsubscribe']?.[0] ?? '',
      /^<http:\/\/.*\/api\/notifications\/unsubscribe\?token=/,
    );
    assert.deepEqual(mail.headers['List-Unsubscribe-Post'], ['List-Unsubscribe=One-Click']);

    const verified = await h.follow(link);
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.emailVerified, true);
  });

  it('sends the password-reset email; its token resets the password and the new one signs in', async () => {
    const user = await h.users.register();
    await h.users.call('/api/users/password-reset/request', { body: { email: user.email } });
    const [mail] = await h.mail.waitForMail(user.email, { subject: /Reset your password/ });
    const token = new URL(linkIn(mail!.text, '/reset-password')).searchParams.get('token');
    const newPassword = 'a brand new passphrase 2026';
    const reset = await h.users.call('/api/users/password-reset/confirm', { body: { token, newPassword } });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));
    const login = await h.users.call('/api/users/login', {
      body: { email: user.email, password: newPassword },
    });
    assert.equal(login.status, 200);
  });

  it('tells a blocked user, with the reason, at the address the users service knows', async () => {
    const admin = await h.users.userWithRole('admin');
    const user = await h.users.register();
    const blocked = await h.users.call(`/api/users/admin/users/${user.id}/block`, {
      token: admin.accessToken,
      body: { reason: 'chargeback fraud' },
    });
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    const [mail] = await h.mail.waitForMail(user.email, { subject: /blocked/ });
    assert.match(mail!.text, /Reason: chargeback fraud/);
  });

  it('sends a receipt on order.completed with the right total, once however often the event arrives', async () => {
    const user = await h.users.register();
    const event = {
      orderId: randomUUID(),
      userId: user.id,
      lines: [
        { productId: 'espresso-beans', quantity: 2, unitPriceMinor: '3490', currency: 'EUR' },
        { productId: 'grinder', quantity: 1, unitPriceMinor: '12000', currency: 'EUR' },
      ],
      totalMinor: '18980',
      currency: 'EUR',
    };
    const id = await h.publish('order.completed', event);
    await h.publish('order.completed', event, id);
    const [receipt] = await h.mail.waitForMail(user.email, { subject: /receipt/ });
    assert.match(receipt!.text, /espresso-beans\s+2 × €34\.90 = €69\.80/);
    assert.match(receipt!.text, /Total: €189\.80/);
    await waitFor(
      async () =>
        (await deliveriesOf(user.id)).filter((d) => d.template === 'order_receipt' && d.status === 'sent')
          .length === 1,
    );
    assert.equal((await deliveriesOf(user.id)).filter((d) => d.template === 'order_receipt').length, 1);
    assert.equal((await h.mail.messagesTo(user.email)).filter((m) => /receipt/.test(m.subject)).length, 1);
  });

  it('writes in the user’s language', async () => {
    const user = await h.users.register();
    const { accessToken } = await h.users.login(user.email, user.password);
    const changed = await api(
      '/api/notifications/preferences',
      { token: accessToken, body: { locale: 'ru' } },
      'PUT',
    );
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    await h.publish('payment.topup_completed', moneyEvent.topUp(user.id, '5000'));
    const [mail] = await h.mail.waitForMail(user.email, { subject: /Пополнение/ });
    assert.match(mail!.text, /На ваш счёт поступило 50,00\s€/);
  });

  describe('preferences', () => {
    const newsletter = (userId: string, key = randomUUID()) =>
      grpc.client.sendNotification({
        idempotencyKey: key,
        userId,
        template: 'newsletter',
        variablesJson: JSON.stringify({ headline: 'Spring beans are in', body: 'Fresh from the roaster.' }),
        locale: '',
        email: '',
      });

    it('sends optional mail only after an opt-in, stops it by the unsubscribe link, refuses a tampered link', async () => {
      const user = await h.users.register();
      const { accessToken } = await h.users.login(user.email, user.password);
      assert.deepEqual((await newsletter(user.id)).deliveries, [], 'marketing is opt-in');

      const optIn = await api(
        '/api/notifications/preferences',
        {
          token: accessToken,
          body: { optIns: [{ category: 'marketing', channel: 'email', enabled: true }] },
        },
        'PUT',
      );
      assert.equal(optIn.status, 200);
      const marketing = optIn.body.categories.find((c: { category: string }) => c.category === 'marketing');
      assert.equal(marketing.channels.find((c: { channel: string }) => c.channel === 'email').enabled, true);

      const key = randomUUID();
      const sent = await newsletter(user.id, key);
      assert.equal(sent.deliveries.length, 1);
      assert.deepEqual(
        (await newsletter(user.id, key)).deliveries.map((d) => d.id),
        [sent.deliveries[0]!.id],
      );
      const [mail] = await h.mail.waitForMail(user.email, { subject: /Spring beans/ });
      const unsubscribeLink = linkIn(mail!.text, '/api/notifications/unsubscribe');
      const token = new URL(unsubscribeLink).searchParams.get('token')!;

      const tampered = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const refused = await api(`/api/notifications/unsubscribe?token=${tampered}`);
      assert.equal(refused.status, 400);
      assert.match(refused.type, /^application\/problem\+json/);
      assert.equal(refused.body.type, 'https://shopstack.dev/problems/unsubscribe-token-invalid');
      assert.equal(
        (await newsletter(user.id)).deliveries.length,
        1,
        'still subscribed after the tampered link',
      );

      const done = await h.follow(unsubscribeLink);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.deepEqual(done.body.unsubscribed, ['marketing']);
      assert.deepEqual((await newsletter(user.id)).deliveries, [], 'unsubscribed');

      // Transactional mail still goes out.
      await h.publish('payment.transfer_received', moneyEvent.transfer(user.id, '100'));
      await h.mail.waitForMail(user.email, { subject: /transfer/ });
    });

    it('refuses to switch transactional email off, and bad input, with a problem naming the field; nothing stored', async () => {
      const user = await h.users.register();
      const { accessToken } = await h.users.login(user.email, user.password);
      const stored = async () =>
        (
          await h.service.deps.pool.query('select count(*)::int as n from preferences where user_id = $1', [
            user.id,
          ])
        ).rows[0].n +
        (
          await h.service.deps.pool.query(
            'select count(*)::int as n from recipient_settings where user_id = $1',
            [user.id],
          )
        ).rows[0].n;
      const cases: [unknown, string][] = [
        [{ optIns: [{ category: 'security', channel: 'email', enabled: false }] }, 'optIns.0'],
        [{ locale: 'de' }, 'locale'],
        [{ optIns: [{ category: 'gossip', channel: 'email', enabled: true }] }, 'optIns.0.category'],
        [{ optIns: [{ category: 'marketing', channel: 'pigeon', enabled: true }] }, 'optIns.0.channel'],
        [{ optIns: [{ category: 'marketing', channel: 'sms', enabled: 'yes' }] }, 'optIns.0.enabled'],
        [{ locale: 'en', colour: 'blue' }, ''],
      ];
      for (const [body, field] of cases) {
        const response = await api('/api/notifications/preferences', { token: accessToken, body }, 'PUT');
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.match(response.type, /^application\/problem\+json/);
        const fields = (response.body.fields ?? response.body.errors ?? []).map(
          (f: { field: string }) => f.field,
        );
        if (field)
          assert.ok(fields.includes(field), `${JSON.stringify(body)} → ${JSON.stringify(response.body)}`);
      }
      const raw = await httpClient(h.service.httpUrl)('PUT', '/api/notifications/preferences', {
        token: accessToken,
        rawBody: '{"locale":',
      });
      assert.equal(raw.status, 400);
      assert.equal(await stored(), 0);
      assert.equal((await api('/api/notifications/preferences', {}, 'GET')).status, 401);
      assert.equal((await api('/api/notifications/deliveries?limit=0', { token: accessToken })).status, 400);
      assert.equal(
        (await api('/api/notifications/deliveries/not-a-uuid', { token: accessToken })).status,
        400,
      );
      const grpcRefused = await grpc.client
        .sendNotification({
          idempotencyKey: randomUUID(),
          userId: user.id,
          template: 'order_receipt',
          variablesJson: '{"orderId":1}',
          locale: '',
          email: '',
        })
        .then(
          () => 'accepted',
          (error: Error) => error.message,
        );
      assert.match(grpcRefused, /variables\./);
      assert.equal((await deliveriesOf(user.id)).filter((d) => d.template === 'order_receipt').length, 0);
    });

    it('shows each user only their own deliveries', async () => {
      const ann = await h.users.register(uniqueEmail('ann'));
      const bob = await h.users.register(uniqueEmail('bob'));
      const annToken = (await h.users.login(ann.email, ann.password)).accessToken;
      const bobToken = (await h.users.login(bob.email, bob.password)).accessToken;
      const annDelivery = await waitFor(async () => (await deliveriesOf(ann.id))[0]);
      const own = await api('/api/notifications/deliveries', { token: annToken });
      assert.equal(own.status, 200);
      assert.deepEqual(
        own.body.deliveries.map((d: { id: string }) => d.id),
        [annDelivery.id],
      );
      assert.equal(
        (await api(`/api/notifications/deliveries/${annDelivery.id}`, { token: annToken })).status,
        200,
      );
      const foreign = await api(`/api/notifications/deliveries/${annDelivery.id}`, { token: bobToken });
      assert.equal(foreign.status, 404);
      const bobs = await api('/api/notifications/deliveries', { token: bobToken });
      assert.ok(bobs.body.deliveries.every((d: { id: string }) => d.id !== annDelivery.id));
    });
  });

  it('retries a failing provider with growing gaps and delivers once it recovers', async () => {
    const user = await h.users.register();
    const { accessToken } = await h.users.login(user.email, user.password);
    await api(
      '/api/notifications/preferences',
      { token: accessToken, body: { optIns: [{ category: 'payments', channel: 'push', enabled: true }] } },
      'PUT',
    );
    const push = h.service.sandbox.push!;
    push.failWith('push gateway unavailable');
    try {
      await h.publish('payment.withdrawal_completed', moneyEvent.withdrawal(user.id, '2500'));
      const failing = await waitFor(
        async () => (await deliveriesOf(user.id)).find((d) => d.channel === 'push' && d.attempts >= 3),
        { timeoutMs: 20_000 },
      );
      assert.equal(failing.status, 'pending');
      assert.equal(failing.last_error, 'push gateway unavailable');
    } finally {
      push.failWith(undefined);
    }
    const sent = await waitFor(
      async () => (await deliveriesOf(user.id)).find((d) => d.channel === 'push' && d.status === 'sent'),
      { timeoutMs: 20_000 },
    );
    assert.equal(push.sent.filter((m) => m.messageId === sent.id).length, 1);
    assert.match(push.sent.find((m) => m.messageId === sent.id)!.text, /Withdrawal completed/);
    await h.mail.waitForMail(user.email, { subject: /Withdrawal completed/ });
  });

  it('answers delivery status over gRPC', async () => {
    const user = await h.users.register();
    const first = await waitFor(async () => (await deliveriesOf(user.id)).find((d) => d.status === 'sent'));
    const { delivery } = await grpc.client.getDelivery({ id: first.id });
    assert.equal(delivery?.status, 'sent');
    assert.equal(delivery?.template, 'email_verification');
    await assert.rejects(grpc.client.getDelivery({ id: randomUUID() }), /No such delivery/);
  });
});
