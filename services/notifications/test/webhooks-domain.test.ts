// Pure webhook rules: the SSRF policy's address classes, what an answer means, the retry span, and
// that the signatures the sender writes verify with the Standard Webhooks library during a rotation.
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { signedHeaders } from '../src/app/webhook-sender.js';
import { notificationsConfigSchema } from '../src/config.js';
import { isExhausted, retryDelayMs } from '../src/domain/retry.js';
import { checkAddress, parseCidrList, TargetRefused } from '../src/domain/target-policy.js';
import { newWebhookSecret, outcomeOf, webhookBody } from '../src/domain/webhooks.js';

const strict = { allowedCidrs: parseCidrList(''), allowPlainHttp: false };
const local = { allowedCidrs: parseCidrList('127.0.0.0/8'), allowPlainHttp: true };
const refusal = (policy: typeof strict, protocol: string, address: string) => {
  try {
    checkAddress(policy, protocol, address);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof TargetRefused);
    return error.code;
  }
};

describe('notifications domain: webhooks', () => {
  it('allows public unicast over https only, and refuses every non-public address class', () => {
    for (const address of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'])
      assert.equal(refusal(strict, 'https:', address), undefined, address);
    assert.equal(refusal(strict, 'http:', '93.184.215.14'), 'webhook-url-insecure');
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.255.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.1.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '2002:a00:1::', // 6to4 around 10.0.0.1
    ])
      assert.equal(refusal(strict, 'https:', address), 'webhook-url-refused', address);
  });

  it('lets the local allow-list through, and plain http only to allowed loopback', () => {
    assert.equal(refusal(local, 'http:', '127.0.0.1'), undefined);
    assert.equal(refusal(local, 'https:', '127.0.0.5'), undefined);
    assert.equal(refusal(local, 'http:', '::1'), 'webhook-url-refused', 'IPv6 loopback is not in the list');
    assert.equal(refusal(local, 'http:', '10.0.0.1'), 'webhook-url-refused');
    assert.equal(refusal(local, 'http:', '93.184.215.14'), 'webhook-url-insecure');
    const privateAllowed = { allowedCidrs: parseCidrList('10.0.0.0/8'), allowPlainHttp: true };
    assert.equal(
      refusal(privateAllowed, 'http:', '10.0.0.1'),
      'webhook-url-insecure',
      'http is for loopback only',
    );
  });

  it('counts 2xx as delivered, 410 as gone, everything else (redirects included) as a retry', () => {
    assert.equal(outcomeOf(200), 'delivered');
    assert.equal(outcomeOf(204), 'delivered');
    assert.equal(outcomeOf(410), 'gone');
    for (const status of [301, 302, 400, 404, 429, 500, 503, undefined])
      assert.equal(outcomeOf(status), 'retry');
  });

  it('with the default settings, retries go on for more than 24 hours even at the shortest jitter', () => {
    const config = notificationsConfigSchema.parse({
      DATABASE_URL: 'postgres://x',
      AMQP_URL: 'amqp://x',
      USERS_GRPC_ADDRESS: 'x:1',
      SMTP_URL: 'smtp://x',
      UNSUBSCRIBE_SECRET: 'x'.repeat(32),
      WEBHOOK_SECRET_ENCRYPTION_KEY: 'ab'.repeat(32),
      JWKS_URL: 'http://x/jwks',
    });
    const policy = {
      baseMs: config.WEBHOOK_RETRY_BASE_MS,
      maxMs: config.WEBHOOK_RETRY_MAX_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    };
    let shortest = 0;
    let longest = 0;
    for (let attempts = 1; !isExhausted(policy, attempts); attempts++) {
      shortest += retryDelayMs(policy, attempts, 0);
      longest += retryDelayMs(policy, attempts, 0.999);
    }
    assert.ok(shortest > 24 * 3_600_000, `${shortest / 3_600_000} h`);
    assert.ok(longest < 72 * 3_600_000, `${longest / 3_600_000} h`);
    assert.ok(retryDelayMs(policy, 2, 0) > retryDelayMs(policy, 1, 0.999), 'the gaps grow');
  });

  it('signs with every current secret; each verifies with the Standard Webhooks library', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = webhookBody('order.cancelled', new Date(), { orderId: 'o-1', schemaVersion: 1 });
    assert.deepEqual(JSON.parse(body).data, { orderId: 'o-1' });
    const headers = signedHeaders([current, previous], 'msg_1', new Date(), body);
    for (const secret of [current, previous])
      assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers));
    assert.throws(() => new Webhook(current).verify(`${body} `, headers), 'a changed body fails');
  });
});
