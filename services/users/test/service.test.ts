// The service as operators and other services meet it: configuration errors, health, readiness,
// metrics, the OpenAPI document, trace context from HTTP to the published event, body limits.
import assert from 'node:assert/strict';
import { requireEnv, testGrpcEnv, waitFor } from '@shopstack/kit/testing';
import { type Harness, PASSWORD, startHarness, uniqueEmail } from './support/harness.js';
import { spawnUsers } from './support/process.js';

describe('users: service surface', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('refuses to start with a missing or bad variable, naming it', async () => {
    const { exited, output } = spawnUsers({
      DATABASE_URL: '',
      AMQP_URL: requireEnv('AMQP_URL'),
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      HTTP_PORT: 'eighty',
    });
    assert.equal(await exited, 1);
    assert.match(output(), /configuration error: DATABASE_URL/);
    assert.match(output(), /configuration error: ACCESS_TOKEN_TTL_SECONDS/);
    assert.match(output(), /configuration error: HTTP_PORT/);
  });

  it('serves healthz, readyz and Prometheus metrics', async () => {
    assert.equal((await h.call('/healthz')).status, 200);
    const ready = await h.call('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.checks.postgres, 'ok');
    await h.call('/api/users/login', { body: { email: uniqueEmail(), password: 'wrong password!' } });
    const metrics = await (await fetch(h.url('/metrics'))).text();
    assert.match(
      metrics,
      /http_server_requests_total\{method="POST",route="\/api\/users\/login",status="401",service="users"\}/,
    );
    assert.match(metrics, /http_server_request_duration_seconds_bucket\{/);
    assert.match(metrics, /nodejs_eventloop_lag_seconds/);
  });

  it('publishes an OpenAPI document generated from the validating schemas', async () => {
    const { status, body } = await h.call('/openapi.json');
    assert.equal(status, 200);
    assert.equal(body.openapi, '3.1.0');
    const register = body.paths['/api/users/register'].post;
    const schema = register.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required.sort(), ['email', 'password']);
    assert.equal(schema.properties.password.minLength, 10);
    assert.ok(schema.properties.phone.pattern);
    assert.ok(body.paths['/api/users/me'].get.security);
    assert.ok(
      body.paths['/api/users/admin/users/{id}/block'].post.parameters.some(
        (p: { name: string }) => p.name === 'id',
      ),
    );
    assert.ok(
      body.paths['/api/users/admin/users'].get.parameters.some((p: { name: string }) => p.name === 'cursor'),
    );
    assert.ok(body.paths['/.well-known/jwks.json'].get);
  });

  it('refuses oversized bodies with 413 and stores nothing', async () => {
    const email = uniqueEmail('huge');
    const response = await h.call('/api/users/register', {
      body: { email, password: PASSWORD, padding: 'x'.repeat(2 * 1024 * 1024) },
    });
    assert.equal(response.status, 413);
    const { rows } = await h.service.deps.pool.query(
      'select count(*)::int as n from users where email = $1',
      [email],
    );
    assert.equal(rows[0].n, 0);
  });

  it('carries the trace context from the HTTP request to the event on the broker', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const email = uniqueEmail('traced');
    const response = await fetch(h.url('/api/users/register'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(response.status, 201);
    const { id } = (await response.json()) as { id: string };
    const message = await waitFor(
      () =>
        h.events.messages.find(
          (m) => m.properties.type === 'user.registered' && JSON.parse(m.content.toString()).userId === id,
        ),
      { what: 'user.registered' },
    );
    const traceparent = String(message.properties.headers?.traceparent ?? '');
    assert.match(traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });
});

describe('users: private signing keys sealed at rest', () => {
  const sealingKey = 'a1'.repeat(32);
  let h: Harness;
  before(async () => {
    h = await startHarness({ SIGNING_KEY_ENCRYPTION_KEY: sealingKey });
  });
  after(() => h?.close());

  it('stores no private key material in clear and still signs and verifies', async () => {
    const { rows } = await h.service.deps.pool.query('select private_jwk from signing_keys');
    assert.ok(rows.length >= 1);
    for (const { private_jwk: stored } of rows) {
      assert.equal(stored.sealed, 'A256GCM');
      assert.equal(stored.d, undefined);
    }
    const user = await h.register();
    const { accessToken } = await h.login(user.email, user.password);
    assert.equal((await h.call('/api/users/me', { token: accessToken })).status, 200);
  });

  it('refuses to start with the wrong sealing key or none, saying why', async () => {
    const base = {
      DATABASE_URL: h.database.url,
      AMQP_URL: requireEnv('AMQP_URL'),
      EVENTS_EXCHANGE: h.exchange,
      OUTBOX_RELAY: 'off',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      ...testGrpcEnv('users'),
    };
    const wrong = spawnUsers({ ...base, SIGNING_KEY_ENCRYPTION_KEY: 'b2'.repeat(32) });
    const none = spawnUsers(base);
    assert.deepEqual(await Promise.all([wrong.exited, none.exited]), [1, 1]);
    assert.match(wrong.output(), /not the key they were sealed with/);
    assert.match(none.output(), /sealed but SIGNING_KEY_ENCRYPTION_KEY is not set/);
  });
});
