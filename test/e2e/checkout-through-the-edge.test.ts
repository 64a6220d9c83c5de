import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { linkIn, type Mailbox, mailpit } from '@shopstack/kit/testing';
import { Webhook } from 'standardwebhooks';
import { startReceiver } from '../../services/notifications/test/support/receiver.js';
import { infraEnv } from '../support/env.js';
import { drawTrace, type TraceSpan, traceSpans } from '../support/jaeger.js';
import { eventually } from '../support/process.js';
import { launchChromium, SCREENSHOTS } from '../web/browser.js';
import { callEdge, type Platform, platform } from './platform.js';
import { shopClient } from './shop-client.js';

describe('the platform end to end through the edge', function () {
  this.timeout(240_000);
  let shop: Platform;
  /** The trace the edge started for the checkout request (its x-trace-id reply header). */
  let checkoutTrace: string | null = null;
  /** What a checkout's trace must hold: [service, span name]. */
  const expectedSpans: [string, RegExp][] = [
    ['edge', /./],
    // The checkout request starts the saga and commands the stock reservation (through the outbox).
    ['orders', /^HTTP POST \/api\/orders\/checkout$/],
    ['orders', /^publish catalog\.reserve-stock$/],
    ['catalog', /^consume catalog\.reserve-stock$/],
    ['catalog', /^publish catalog\.stock-reservation$/],
    ['orders', /^consume catalog\.stock-reservation$/],
    ['orders', /^saga hold_funds$/],
    ['payments', /^gRPC \/shop\.payments\.v1\.PaymentsService\/AuthorizeHold$/],
    ['orders', /^saga capture$/],
    ['payments', /^gRPC \/shop\.payments\.v1\.PaymentsService\/CaptureHold$/],
    ['orders', /^publish catalog\.commit-stock$/],
    ['catalog', /^consume catalog\.commit-stock$/],
    ['orders', /^publish order\.completed$/],
  ];

  const call = (method: string, path: string, token?: string, body?: unknown, key?: string) =>
    callEdge(shop.edgeUrl, method, path, token, body, key);

  async function signIn(account: { email: string; password: string }): Promise<string> {
    const login = await call('POST', '/api/users/login', undefined, account);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return login.body.accessToken;
  }

  let mail: Mailbox;
  const mailFor = async (address: string, subject: RegExp) => {
    const found = await mail.waitForMail(address, { subject, timeoutMs: 30_000 });
    return found as [(typeof found)[number], ...typeof found];
  };

  before(async () => {
    mail = mailpit();
    shop = await platform({
      tracing: { otlpHttpUrl: infraEnv('OTLP_HTTP_URL'), otlpGrpcAddress: infraEnv('OTLP_GRPC_ADDRESS') },
    });
  });

  after(async () => {
    await shop?.stop();
  });

  it('sells a product: sign-up, top-up, cart, checkout, confirmed, with stock and money moved', async () => {
    const { orderId, customer, reply } = await shopClient(shop.edgeUrl).sellAProduct(shop.admin);
    checkoutTrace = reply.headers.get('x-trace-id');

    const [receipt] = await mail.waitForMail(customer.email, { subject: new RegExp(orderId) });
    assert.match(receipt!.text, /3 × €22\.50 = €67\.50/);
    assert.match(receipt!.text, /Total: €67\.50/);
  });

  it('registers a webhook endpoint through the edge; its deliveries verify with the Standard Webhooks library', async function () {
    // A remote edge (EDGE_URL) cannot reach a receiver on this machine, and refuses loopback targets.
    if (!shop.services) this.skip();
    const receiver = await startReceiver();
    try {
      const account = { email: `hook.${randomUUID()}@example.test`, password: 'a receiver of my own' };
      assert.equal((await call('POST', '/api/users/register', undefined, account)).status, 201);
      const token = await signIn(account);
      const base = '/api/notifications/webhooks/endpoints';
      const unsigned = await call('POST', base, undefined, {
        url: receiver.url('/x'),
        eventTypes: ['webhook.test'],
      });
      assert.equal(unsigned.status, 401, 'the edge wants a token');
      const created = await call('POST', base, token, {
        url: receiver.url('/hook'),
        eventTypes: ['webhook.test'],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { endpoint, secret } = created.body;
      const rotated = await call('POST', `${base}/${endpoint.id}/rotate-secret`, token, {});
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      // An integration manages the owner's webhooks with an API key of the webhooks:manage scope.
      const key = await call('POST', '/api/users/api-keys', token, {
        name: 'hooks',
        scopes: ['webhooks:manage'],
      });
      assert.equal(key.status, 201, JSON.stringify(key.body));
      const exchanged = await call('POST', '/api/users/api-keys/token', undefined, { apiKey: key.body.key });
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
      const keyToken = exchanged.body.accessToken as string;
      const sent = await call('POST', `${base}/${endpoint.id}/test`, keyToken);
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      assert.equal(
        (await call('GET', '/api/notifications/preferences', keyToken)).status,
        403,
        'only its scope',
      );
      const [request] = await eventually(
        async () => receiver.on('/hook').length > 0 && receiver.on('/hook'),
        30_000,
      );
      for (const key of [secret, rotated.body.secret])
        assert.equal(new Webhook(key).verify(request!.body, request!.headers) !== undefined, true);
      assert.equal(request!.headers['webhook-id'], sent.body.id);

      const metadata = await call('POST', base, token, {
        url: 'https://169.254.169.254/latest/meta-data/',
        eventTypes: ['webhook.test'],
      });
      assert.equal(metadata.status, 400);
      assert.equal(metadata.headers.get('content-type'), 'application/problem+json');
      assert.match(metadata.body.type, /webhook-url-refused$/);
    } finally {
      await receiver.close();
    }
  });

  it('verifies a new account by the link in the email that arrives in Mailpit', async () => {
    const account = { email: `ann.${randomUUID()}@example.test`, password: 'correct horse battery staple' };
    assert.equal((await call('POST', '/api/users/register', undefined, account)).status, 201);
    const [mail] = await mailFor(account.email, /Confirm your email/);
    const link = linkIn(mail.text, '/api/users/verify-email');
    assert.equal(new URL(link).origin, shop.edgeUrl, 'the link goes through the edge');
    const followed = await fetch(link);
    assert.equal(followed.status, 200);
    const token = await signIn(account);
    assert.equal((await call('GET', '/api/users/me', token)).body.emailVerified, true);
  });

  it('resets a forgotten password with the emailed token; the new password signs in', async () => {
    const account = { email: `bo.${randomUUID()}@example.test`, password: 'correct horse battery staple' };
    assert.equal((await call('POST', '/api/users/register', undefined, account)).status, 201);
    const asked = await call('POST', '/api/users/password-reset/request', undefined, {
      email: account.email,
    });
    assert.equal(asked.status, 202);
    const [mail] = await mailFor(account.email, /Reset your password/);
    const resetToken = new URL(linkIn(mail.text, '/reset-password')).searchParams.get('token');
    const newPassword = 'a brand new passphrase 2026';
    const reset = await call('POST', '/api/users/password-reset/confirm', undefined, {
      token: resetToken,
      newPassword,
    });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));
    assert.equal((await call('POST', '/api/users/login', undefined, account)).status, 401);
    await signIn({ email: account.email, password: newPassword });
  });

  it('tells a blocked user why; unsubscribe links need no sign-in but a valid token', async () => {
    const adminToken = await signIn(shop.admin);
    const account = { email: `cy.${randomUUID()}@example.test`, password: 'correct horse battery staple' };
    const registered = await call('POST', '/api/users/register', undefined, account);
    const blocked = await call('POST', `/api/users/admin/users/${registered.body.id}/block`, adminToken, {
      reason: 'suspicious chargebacks',
    });
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    const [notice] = await mailFor(account.email, /blocked/);
    assert.match(notice.text, /Reason: suspicious chargebacks/);

    const unsubscribe = linkIn(notice.text, '/api/notifications/unsubscribe');
    assert.equal((await fetch(unsubscribe)).status, 200);
    const forged = await fetch(`${shop.edgeUrl}/api/notifications/unsubscribe?token=forged`);
    assert.equal(forged.status, 400);
    assert.match(forged.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal((await fetch(`${shop.edgeUrl}/api/notifications/preferences`)).status, 401);
  });

  it("refuses a signed-out session's and then a blocked user's still-valid tokens in orders and payments within seconds", async () => {
    const adminToken = await signIn(shop.admin);
    const account = { email: `dee.${randomUUID()}@example.test`, password: 'correct horse battery staple' };
    const registered = await call('POST', '/api/users/register', undefined, account);
    const signInFull = async () => (await call('POST', '/api/users/login', undefined, account)).body;
    const [laptop, phone] = [await signInFull(), await signInFull()];
    const paths = ['/api/orders', '/api/payments/accounts'];
    for (const token of [laptop.accessToken, phone.accessToken])
      for (const path of paths) assert.equal((await call('GET', path, token)).status, 200, path);

    /** Waits (5 s at most) until every path refuses the token as revoked; returns how long it took. */
    const refusedEverywhere = async (token: string) => {
      const from = Date.now();
      await eventually(async () => {
        const replies = await Promise.all(paths.map((path) => call('GET', path, token)));
        return replies.every((r) => r.status === 401 && r.body.type.endsWith('/token-revoked'));
      }, 5_000);
      return Date.now() - from;
    };

    assert.equal(
      (await call('POST', '/api/users/logout', undefined, { refreshToken: laptop.refreshToken })).status,
      204,
    );
    const afterSignOut = await refusedEverywhere(laptop.accessToken);
    for (const path of paths)
      assert.equal((await call('GET', path, phone.accessToken)).status, 200, 'other session');

    const blocked = await call('POST', `/api/users/admin/users/${registered.body.id}/block`, adminToken, {
      reason: 'account takeover',
    });
    assert.equal(blocked.status, 200);
    const afterBlock = await refusedEverywhere(phone.accessToken);
    console.log(
      `      refused everywhere ${afterSignOut} ms after sign-out, ${afterBlock} ms after the block`,
    );
    // The feed the services read is not reachable from outside, signed in or not.
    const feed = await fetch(`${shop.edgeUrl}/internal/token-denials`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(feed.status, 404);
  });

  it("lets a machine client in on an API key: only on its scope's routes, and not after it is revoked", async () => {
    const adminToken = await signIn(shop.admin);
    const created = await call('POST', '/api/users/api-keys', adminToken, {
      name: 'nightly catalog import',
      scopes: ['catalog:write'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // The exchange needs no access token at the edge: the key is the credential.
    const exchanged = await call('POST', '/api/users/api-keys/token', undefined, {
      apiKey: created.body.key,
    });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    const keyToken = exchanged.body.accessToken as string;
    const product = {
      name: `Imported kettle ${randomUUID().slice(0, 8)}`,
      priceMinor: 1_990,
      currency: 'EUR',
      stockOnHand: 2,
    };
    const imported = await call('POST', '/api/catalog/products', keyToken, product);
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.equal((await call('GET', `/api/catalog/products/${imported.body.id}`)).body.name, product.name);

    for (const [method, path] of [
      ['GET', '/api/orders'],
      ['GET', '/api/payments/accounts'],
      ['GET', '/api/users/me'],
    ] as const) {
      const refused = await call(method, path, keyToken);
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.type, 'https://shopstack.dev/problems/api-key-not-allowed');
    }

    assert.equal((await call('DELETE', `/api/users/api-keys/${created.body.id}`, adminToken)).status, 204);
    await eventually(async () => {
      const after = await call('POST', '/api/catalog/products', keyToken, {
        ...product,
        name: `${product.name} 2`,
      });
      return after.status === 401 && after.body.type.endsWith('/token-revoked');
    }, 5_000);
    assert.equal(
      (await call('POST', '/api/users/api-keys/token', undefined, { apiKey: created.body.key })).status,
      401,
    );
  });

  it('records that checkout as one trace in Jaeger: edge, orders, catalog, payments, outbox, parents intact', async () => {
    assert.match(checkoutTrace ?? '', /^[0-9a-f]{32}$/, 'the edge answered the checkout without x-trace-id');
    const has = (spans: TraceSpan[], service: string, name: RegExp) =>
      spans.some((s) => s.service === service && name.test(s.name));
    // The services export in batches, so wait until all arrived.
    let spans: TraceSpan[] = [];
    try {
      await eventually(async () => {
        spans = await traceSpans(checkoutTrace!);
        return expectedSpans.every(([service, name]) => has(spans, service, name));
      }, 30_000);
    } catch {
      const missing = expectedSpans.filter(([service, name]) => !has(spans, service, name));
      assert.fail(`missing ${missing.map(([s, n]) => `${s} ${n}`).join(', ')} in\n${drawTrace(spans)}`);
    }
    const roots = spans.filter((s) => !s.parentId);
    assert.deepEqual(
      roots.map((s) => s.service),
      ['edge'],
      `the edge span must be the only root:\n${drawTrace(spans)}`,
    );
    const ids = new Set(spans.map((s) => s.spanId));
    const orphans = spans.filter((s) => s.parentId && !ids.has(s.parentId));
    assert.deepEqual(orphans, [], `spans whose parent is not in the trace:\n${drawTrace(spans)}`);
    // The orders HTTP span hangs directly under the edge's, and catalog continues from a publish.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ordersHttp = spans.find(
      (s) => s.service === 'orders' && s.name === 'HTTP POST /api/orders/checkout',
    )!;
    assert.equal(byId.get(ordersHttp.parentId!)?.service, 'edge');
    const reserve = spans.find((s) => s.service === 'catalog' && s.name === 'consume catalog.reserve-stock')!;
    assert.equal(byId.get(reserve.parentId!)?.name, 'publish catalog.reserve-stock');
  });

  it("shows that whole trace in Zipkin's UI, the page a person opens: every span Jaeger has, the edge on top", async () => {
    assert.match(checkoutTrace ?? '', /^[0-9a-f]{32}$/, 'the edge answered the checkout without x-trace-id');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      // Zipkin's page lists a span as "<service>: <span name>" (Zipkin lower-cases span names).
      let rows: string[] = [];
      let jaegerSpans: TraceSpan[] = [];
      // Zipkin gets Jaeger's copy a moment later (through the bridge), and the trace may still grow
      // (notifications consume the order's events): wait until both hold the same spans.
      try {
        await eventually(async () => {
          jaegerSpans = await traceSpans(checkoutTrace!);
          // The timeline renders only the rows in view: make the window tall enough for all of them.
          await page.setViewportSize({ width: 1400, height: 400 + 40 * jaegerSpans.length });
          await page.goto(`${infraEnv('ZIPKIN_URL')}/zipkin/traces/${checkoutTrace}`);
          await page.getByText('Total Spans').waitFor({ timeout: 5_000 });
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines, one row each, as a person reads them
          rows = (await page.innerText('body')).split('\n').map((row) => row.trim());
          const total = rows[rows.indexOf('Total Spans') + 1];
          return total === String(jaegerSpans.length);
        }, 30_000);
      } catch {
        // biome-ignore lint/performance/useDomNodeTextContent: what the page showed a person
        const shown = await page.innerText('body').catch((error) => String(error));
        assert.fail(
          `Zipkin's page never showed the ${jaegerSpans.length} spans Jaeger has; it showed:\n${shown}`,
        );
      }
      const missingRows = jaegerSpans
        .map((s) => `${s.service}: ${s.name.toLowerCase()}`)
        .filter((row) => !rows.includes(row));
      assert.deepEqual(missingRows, [], "spans of Jaeger's trace that Zipkin's page does not list");
      const services = new Set(jaegerSpans.map((s) => s.service));
      assert.equal(rows[rows.indexOf('Services') + 1], String(services.size));
      for (const [service, name] of expectedSpans) {
        const shown = new RegExp(`^${service}: ${name.source.replace(/^\^/, '')}`, 'i');
        assert.ok(
          rows.some((row) => shown.test(row)),
          `no ${service} ${name} row on Zipkin's page`,
        );
      }
      // The page's title (above its SPAN TABLE button) is the trace's root span: the edge's.
      const root = jaegerSpans.find((s) => !s.parentId)!;
      assert.equal(rows[rows.indexOf('SPAN TABLE') - 1], `edge: ${root.name.toLowerCase()}`);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'zipkin-checkout-trace.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('refuses to check out, top up or look at orders without a token, at the edge', async () => {
    for (const [method, path] of [
      ['POST', '/api/orders/checkout'],
      ['POST', '/api/payments/topups'],
      ['GET', '/api/orders'],
    ] as const) {
      const reply = await fetch(`${shop.edgeUrl}${path}`, { method });
      assert.equal(reply.status, 401, `${method} ${path}`);
    }
  });

  it('serves every service’s OpenAPI document and an index of them at the edge, without a token', async () => {
    const index = await call('GET', '/api/openapi.json');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^application\/json/);
    const services = index.body.documents.map((d: { service: string }) => d.service);
    // The index lists every service the operator knows (operator/src/render/envoy/routes.ts), in order.
    assert.deepEqual(services, ['users', 'catalog', 'orders', 'payments', 'notifications', 'backoffice']);
    const internal: string[] = [];
    for (const { service, url } of index.body.documents as { service: string; url: string }[]) {
      const doc = await call('GET', url);
      assert.equal(doc.status, 200, `${service}: ${JSON.stringify(doc.body)}`);
      assert.match(doc.body.openapi, /^3\./, service);
      const paths = Object.keys(doc.body.paths);
      assert.ok(paths.length > 0, `${service} documents no path`);
      internal.push(...paths.filter((p) => p.startsWith('/internal/')));
      assert.ok(
        paths.every(
          (p) =>
            p === `/api/${service}` ||
            p.startsWith(`/api/${service}/`) ||
            p.startsWith('/.well-known/') ||
            p.startsWith('/internal/'),
        ),
        `${service}: ${paths.join(', ')}`,
      );
    }
    // Service-to-service routes (the back office's log intake) are documented, and the edge never
    // routes them: not even an admin's token reaches one.
    assert.deepEqual(internal, ['/internal/log-events']);
    const adminToken = await signIn(shop.admin);
    for (const p of internal) {
      const refused = await call('POST', p, adminToken, { entries: [] });
      assert.equal(refused.status, 404, p);
      assert.match(refused.body.type, /edge\/not-found$/, p);
    }
    // Only reading is open: the documents' paths are not a way around the token.
    assert.equal((await fetch(`${shop.edgeUrl}/api/orders/openapi.json`, { method: 'POST' })).status, 401);
  });
});
