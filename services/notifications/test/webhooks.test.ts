// Webhooks against a real receiver on this machine, with real PostgreSQL, RabbitMQ and Mailpit: the
// receiver checks every signature with the Standard Webhooks library itself. Registration and the
// delivery log over REST; rotation, secrets sealed at rest, retries, replay, disabling (counted in the
// metrics), and the SSRF guard's refusals.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpClient, waitFor } from '@shopstack/kit/testing';
import { Webhook } from 'standardwebhooks';
import { type Harness, moneyEvent, startHarness } from './support/harness.js';
import { type ReceivedWebhook, type Receiver, startReceiver } from './support/receiver.js';

const LOCAL_WEBHOOKS = {
  WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
  WEBHOOK_ALLOW_PLAIN_HTTP: 'true',
  WEBHOOK_RETRY_BASE_MS: '150',
  WEBHOOK_RETRY_MAX_MS: '600',
  WEBHOOK_TIMEOUT_MS: '3000',
  // Longer than the retry test's failures last, shorter than the sustained-failure test waits.
  WEBHOOK_DISABLE_AFTER_MS: '2500',
};

/** Whether the library accepts the request as signed with `secret`. */
const verifies = (secret: string, r: ReceivedWebhook) => {
  try {
    new Webhook(secret).verify(r.body, r.headers);
    return true;
  } catch {
    return false;
  }
};

describe('notifications: webhooks', function () {
  this.timeout(60_000);
  let h: Harness;
  let receiver: Receiver;
  let user: { id: string; email: string; accessToken: string };

  before(async () => {
    [h, receiver] = await Promise.all([startHarness(LOCAL_WEBHOOKS), startReceiver()]);
    user = await h.users.userWithRole('customer');
  });
  after(async () => {
    await receiver?.close();
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown, token = user.accessToken) =>
    httpClient(h.service.httpUrl)(method, `/api/notifications/webhooks${path}`, {
      token,
      ...(body !== undefined ? { body } : {}),
    });
  const register = async (
    path: string,
    eventTypes: string[] = ['webhook.test'],
    token = user.accessToken,
  ) => {
    const created = await api('POST', '/endpoints', { url: receiver.url(path), eventTypes }, token);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { endpoint: { id: string }; secret: string };
  };
  const delivery = async (id: string) => (await api('GET', `/deliveries/${id}`)).body;
  const until = (path: string, count: number) =>
    waitFor(() => receiver.on(path).length >= count && receiver.on(path), {
      what: `${count} requests on ${path}`,
    });

  it('signs per Standard Webhooks: the receiver verifies with the library; events reach only subscribers', async () => {
    const path = `/hooks/${randomUUID()}`;
    const { endpoint, secret } = await register(path, ['webhook.test', 'order.cancelled']);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const shown = await api('GET', `/endpoints/${endpoint.id}`);
    assert.equal(shown.status, 200);
    assert.equal(JSON.stringify(shown.body).includes(secret), false, 'the secret is shown only once');

    const test = await api('POST', `/endpoints/${endpoint.id}/test`);
    assert.equal(test.status, 202, JSON.stringify(test.body));
    const [first] = await until(path, 1);
    assert.ok(verifies(secret, first!), 'the signature verifies');
    assert.equal(first!.headers['webhook-id'], test.body.id);
    assert.equal(verifies(`whsec_${Buffer.alloc(24).toString('base64')}`, first!), false);
    assert.equal(JSON.parse(first!.body).type, 'webhook.test');

    // A real integration event about this user, another about someone else, one not subscribed to.
    const orderId = randomUUID();
    await h.publish('order.cancelled', {
      orderId,
      userId: user.id,
      reason: 'out_of_stock',
      totalMinor: '1000',
      currency: 'EUR',
    });
    await h.publish('order.cancelled', {
      orderId: randomUUID(),
      userId: randomUUID(),
      reason: 'out_of_stock',
      totalMinor: '1000',
      currency: 'EUR',
    });
    await h.publish('payment.topup_completed', moneyEvent.topUp(user.id, '500'));
    const [, second] = await until(path, 2);
    assert.ok(verifies(secret, second!));
    const body = JSON.parse(second!.body);
    assert.equal(body.type, 'order.cancelled');
    assert.deepEqual(body.data, {
      orderId,
      userId: user.id,
      reason: 'out_of_stock',
      totalMinor: '1000',
      currency: 'EUR',
    });
    await waitFor(async () => {
      const log = await api('GET', `/endpoints/${endpoint.id}/deliveries`);
      return (
        log.body.deliveries.length === 2 &&
        log.body.deliveries.every((d: { status: string }) => d.status === 'delivered')
      );
    });
    assert.equal(receiver.on(path).length, 2, 'nothing else reached the endpoint');
  });

  it('rotates the secret: both signatures during the overlap, only the new one after it', async () => {
    const path = `/hooks/${randomUUID()}`;
    const { endpoint, secret: first } = await register(path);
    const rotated = await api('POST', `/endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 3600 });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const second = rotated.body.secret as string;
    assert.notEqual(second, first);
    await api('POST', `/endpoints/${endpoint.id}/test`);
    const [during] = await until(path, 1);
    assert.equal(during!.headers['webhook-signature']!.split(' ').length, 2);
    assert.ok(verifies(first, during!), 'a receiver still on the old secret verifies');
    assert.ok(verifies(second, during!), 'a receiver on the new secret verifies');

    const again = await api('POST', `/endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 0 });
    const third = again.body.secret as string;
    await api('POST', `/endpoints/${endpoint.id}/test`);
    const [, after] = await until(path, 2);
    assert.ok(verifies(third, after!));
    assert.equal(verifies(second, after!), false, 'no overlap asked: the previous secret no longer signs');
    assert.equal(verifies(first, after!), false);

    // At rest every secret is sealed: the raw rows hold none of them.
    const raw = await h.service.deps.pool.query('select * from webhook_secrets where endpoint_id = $1', [
      endpoint.id,
    ]);
    assert.equal(raw.rows.length, 1);
    assert.ok(raw.rows.every((row) => row.secret === null && row.sealed_secret.sealed === 'A256GCM'));
    const dump = JSON.stringify(raw.rows);
    for (const secret of [first, second, third]) {
      assert.equal(dump.includes(secret.slice('whsec_'.length)), false, 'no secret in the raw row');
      assert.equal(
        dump.includes(Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex')),
        false,
      );
    }
  });

  it('seals on start a secret an older version stored in plain, which still signs', async () => {
    const path = `/hooks/${randomUUID()}`;
    const { endpoint } = await register(path);
    const plain = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    await h.service.deps.pool.query(
      'update webhook_secrets set secret = $2, sealed_secret = null where endpoint_id = $1',
      [endpoint.id, plain],
    );
    await h.stopService();
    await h.restart();
    const { rows } = await h.service.deps.pool.query(
      'select secret, sealed_secret from webhook_secrets where endpoint_id = $1',
      [endpoint.id],
    );
    assert.deepEqual(
      rows.map((row) => [row.secret, row.sealed_secret?.sealed]),
      [[null, 'A256GCM']],
    );
    await api('POST', `/endpoints/${endpoint.id}/test`);
    const [sent] = await until(path, 1);
    assert.ok(verifies(plain, sent!), 'the sealed secret signs as before');
  });

  it('retries after the receiver answers 500, with the same webhook-id, until it is delivered', async () => {
    const path = `/hooks/${randomUUID()}`;
    receiver.respond = (p, nth) => (p === path && nth <= 3 ? 500 : 204);
    const { endpoint, secret } = await register(path);
    const queued = (await api('POST', `/endpoints/${endpoint.id}/test`)).body;
    const requests = await until(path, 4);
    assert.deepEqual(new Set(requests.map((r) => r.headers['webhook-id'])), new Set([queued.id]));
    assert.ok(
      requests.every((r) => verifies(secret, r)),
      'each attempt is signed afresh',
    );
    const done = await waitFor(async () => {
      const d = await delivery(queued.id);
      return d.status === 'delivered' && d;
    });
    assert.equal(done.attempts, 4);
    assert.deepEqual(
      done.attemptLog.map((a: { statusCode: number }) => a.statusCode),
      [500, 500, 500, 204],
    );
    assert.match(done.attemptLog[0].error, /answered 500/);
    assert.equal((await api('GET', `/endpoints/${endpoint.id}`)).body.failingSince, null, 'healthy again');
  });

  it('replays one delivery, and everything since a time, with the same webhook-ids', async () => {
    const path = `/hooks/${randomUUID()}`;
    receiver.respond = () => 204;
    const { endpoint, secret } = await register(path);
    const since = new Date().toISOString();
    const one = (await api('POST', `/endpoints/${endpoint.id}/test`)).body;
    const two = (await api('POST', `/endpoints/${endpoint.id}/test`)).body;
    await until(path, 2);
    await waitFor(async () => (await delivery(two.id)).status === 'delivered');

    const replayed = await api('POST', `/deliveries/${one.id}/replay`);
    assert.equal(replayed.status, 202, JSON.stringify(replayed.body));
    const [, , third] = await until(path, 3);
    assert.equal(third!.headers['webhook-id'], one.id);
    assert.ok(verifies(secret, third!));

    await waitFor(async () => (await delivery(one.id)).status === 'delivered');
    const all = await api('POST', `/endpoints/${endpoint.id}/replay`, { since });
    assert.equal(all.status, 202);
    assert.equal(all.body.replayed, 2);
    const requests = await until(path, 5);
    assert.deepEqual(
      requests
        .slice(3)
        .map((r) => r.headers['webhook-id'])
        .sort(),
      [one.id, two.id].sort(),
    );
  });

  it('disables an endpoint that answers 410 and tells its owner by email; enabling it resumes delivery', async () => {
    const path = `/hooks/${randomUUID()}`;
    let gone = true;
    receiver.respond = (p) => (p === path && gone ? 410 : 204);
    const { endpoint } = await register(path);
    await api('POST', `/endpoints/${endpoint.id}/test`);
    await until(path, 1);
    const disabled = await waitFor(async () => {
      const e = (await api('GET', `/endpoints/${endpoint.id}`)).body;
      return e.status === 'disabled' && e;
    });
    assert.match(disabled.disabledReason, /410/);
    const [mail] = await h.mail.waitForMail(user.email, {
      subject: /webhook endpoint of yours was disabled/,
    });
    assert.ok(mail!.text.includes(receiver.url(path)));

    // While disabled nothing is sent; the delivery waits and goes out once the endpoint is enabled.
    const waiting = (await api('POST', `/endpoints/${endpoint.id}/test`)).body;
    gone = false;
    const enabled = await api('POST', `/endpoints/${endpoint.id}/enable`);
    assert.equal(enabled.body.status, 'enabled');
    await waitFor(async () => (await delivery(waiting.id)).status === 'delivered');
    assert.ok(
      receiver
        .on(path)
        .slice(1)
        .some((r) => r.headers['webhook-id'] === waiting.id),
    );
    assert.equal(receiver.on(path).filter((r) => r.headers['webhook-id'] === waiting.id).length, 1);
  });

  it('disables an endpoint whose every delivery has failed for the disable window, and tells its owner', async () => {
    const path = `/hooks/${randomUUID()}`;
    receiver.respond = (p) => (p === path ? 503 : 204);
    const owner = await h.users.userWithRole('customer');
    const { endpoint } = await register(path, ['webhook.test'], owner.accessToken);
    const queued = (await api('POST', `/endpoints/${endpoint.id}/test`, undefined, owner.accessToken)).body;
    const disabled = await waitFor(
      async () => {
        const e = (await api('GET', `/endpoints/${endpoint.id}`, undefined, owner.accessToken)).body;
        return e.status === 'disabled' && e;
      },
      { timeoutMs: 20_000 },
    );
    assert.match(disabled.disabledReason, /^every delivery has failed since /);
    const [mail] = await h.mail.waitForMail(owner.email, {
      subject: /webhook endpoint of yours was disabled/,
    });
    assert.match(mail!.text, /every delivery has failed since/);
    const d = (await api('GET', `/deliveries/${queued.id}`, undefined, owner.accessToken)).body;
    assert.equal(d.status, 'pending', 'kept, to go out once the endpoint is enabled again');
    assert.ok(d.attemptLog.length >= 2);
    assert.ok(d.attemptLog.every((a: { statusCode: number }) => a.statusCode === 503));
    receiver.respond = () => 204;

    // This replica counted it (and the 410 of the test before): attempts by answer, disables by reason.
    const metrics = await (await fetch(`${h.service.httpUrl}/metrics`)).text();
    const value = (name: string, label: string) =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`${name}{`) && line.includes(label))
          ?.split(' ')
          .at(-1) ?? Number.NaN,
      );
    assert.equal(value('notifications_webhook_endpoints_disabled_total', 'reason="failing"'), 1);
    assert.equal(value('notifications_webhook_endpoints_disabled_total', 'reason="gone"'), 1);
    assert.ok(value('notifications_webhook_attempts_total', 'result="5xx"') >= 2);
    assert.ok(value('notifications_webhook_attempts_total', 'result="4xx"') >= 1);
    assert.ok(value('notifications_webhook_deliveries_total', 'outcome="delivered"') >= 1);
  });

  it('keeps another user’s endpoints and deliveries invisible, and refuses bad input with problem+json', async () => {
    const path = `/hooks/${randomUUID()}`;
    const { endpoint } = await register(path);
    const queued = (await api('POST', `/endpoints/${endpoint.id}/test`)).body;
    const other = await h.users.userWithRole('customer');
    for (const [method, p] of [
      ['GET', `/endpoints/${endpoint.id}`],
      ['POST', `/endpoints/${endpoint.id}/test`],
      ['GET', `/endpoints/${endpoint.id}/deliveries`],
      ['GET', `/deliveries/${queued.id}`],
      ['POST', `/deliveries/${queued.id}/replay`],
    ] as const) {
      const answer = await api(method, p, undefined, other.accessToken);
      assert.equal(answer.status, 404, `${method} ${p}`);
      assert.equal(answer.type, 'application/problem+json');
    }
    assert.deepEqual((await api('GET', '/endpoints', undefined, other.accessToken)).body.endpoints, []);

    const before = await h.service.deps.pool.query('select count(*)::int as n from webhook_endpoints');
    const bad = await api('POST', '/endpoints', {
      url: receiver.url('/x'),
      eventTypes: ['user.password_reset_requested'],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.type, 'application/problem+json');
    assert.equal(bad.body.errors[0].field, 'eventTypes.0');
    const shop = await api('POST', '/endpoints', {
      url: receiver.url('/x'),
      eventTypes: ['webhook.test'],
      scope: 'shop',
    });
    assert.equal(shop.status, 403);
    assert.match(shop.body.type, /webhook-scope-forbidden$/);
    const after = await h.service.deps.pool.query('select count(*)::int as n from webhook_endpoints');
    assert.equal(after.rows[0].n, before.rows[0].n, 'nothing stored');
  });

  it('refuses private, loopback, link-local and metadata targets, and plain http to public hosts', async () => {
    const refusals: [string, RegExp][] = [
      ['https://10.0.0.8/hook', /webhook-url-refused$/],
      ['https://192.168.1.20/hook', /webhook-url-refused$/],
      ['https://172.16.0.1/hook', /webhook-url-refused$/],
      ['https://169.254.169.254/latest/meta-data/', /webhook-url-refused$/],
      ['https://[fd00:ec2::254]/', /webhook-url-refused$/],
      ['https://[::1]/hook', /webhook-url-refused$/],
      ['https://[::ffff:10.0.0.8]/hook', /webhook-url-refused$/],
      ['https://100.64.0.1/hook', /webhook-url-refused$/],
      ['http://93.184.215.14/hook', /webhook-url-insecure$/],
      ['https://user:pass@93.184.215.14/hook', /webhook-url-refused$/],
    ];
    for (const [url, type] of refusals) {
      const refused = await api('POST', '/endpoints', { url, eventTypes: ['webhook.test'] });
      assert.equal(refused.status, 400, url);
      assert.equal(refused.type, 'application/problem+json', url);
      assert.match(refused.body.type, type, url);
      assert.equal(refused.body.errors[0].field, 'url', url);
    }
    const stored = await h.service.deps.pool.query(
      `select count(*)::int as n from webhook_endpoints where url not like 'http://127.0.0.1:%'`,
    );
    assert.equal(stored.rows[0].n, 0);
  });

  it('checks the target again at delivery time, and after DNS resolution: without the local allowance nothing leaves', async () => {
    const path = `/hooks/${randomUUID()}`;
    receiver.respond = () => 204;
    const { endpoint } = await register(path);
    await h.stopService();
    await h.restart({ WEBHOOK_ALLOWED_CIDRS: '', WEBHOOK_ALLOW_PLAIN_HTTP: 'false' });
    try {
      const queued = (await api('POST', `/endpoints/${endpoint.id}/test`)).body;
      const refused = await waitFor(async () => {
        const d = await delivery(queued.id);
        return d.attempts >= 1 && d.attemptLog.length >= 1 && d;
      });
      assert.match(refused.attemptLog[0].error, /^refused: resolves to 127\.0\.0\.1, a loopback address/);
      assert.equal(refused.attemptLog[0].statusCode, null);
      assert.equal(receiver.on(path).length, 0, 'no request reached the receiver');

      // A name is resolved before it is judged: localhost is loopback too.
      const byName = await api('POST', '/endpoints', {
        url: receiver.url(path).replace('127.0.0.1', 'localhost').replace('http:', 'https:'),
        eventTypes: ['webhook.test'],
      });
      assert.equal(byName.status, 400, JSON.stringify(byName.body));
      assert.match(byName.body.errors[0].message, /resolves to 127\.0\.0\.1, a loopback address/);
    } finally {
      await h.stopService();
      await h.restart();
    }
  });
});
